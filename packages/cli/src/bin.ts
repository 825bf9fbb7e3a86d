#!/usr/bin/env node
import { main } from './main.js';

// `mini-agent-otel demo | head` closes the pipe early: stop printing, let the command finish its work.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

// process.exitCode rather than process.exit(): pending writes and telemetry flushes finish first.
process.exitCode = await main(process.argv.slice(2));
