import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DEFAULT_SPOOL_DIR } from '@mini-agent/core';
import { registerMiniAgentTracing, type MiniAgentTracing } from '@mini-agent/otel';
import { CliError, ExitCode, type Command, type Io } from '../command.js';
import { databaseErrorLine, databaseTarget, DATABASE_FLAGS, DATABASE_FLAGS_HELP, openTarget } from '../database-target.js';
import { formatLandedReport, readLandedReport } from '../demo/landed-report.js';
import { runSimulatedSession } from '../demo/simulated-session.js';
import { LANGFUSE_FLAGS, LANGFUSE_FLAGS_HELP, langfuseConfigWith } from '../langfuse-transport.js';
import { parsedOrUsageError } from '../parse.js';
import { SPOOL_FLAGS, spoolDirOf } from '../spool-dir.js';
import { MIGRATE_FLAGS, MIGRATE_FLAGS_HELP, migrateOptionOf } from '../migrate-flag.js';
import { cliVersion } from '../version.js';
import { serveDashboard } from './dashboard.js';


const HELP = `Usage: mini-agent-otel demo [--database-url URL | --data-dir DIR] [--no-migrate] [--spool-dir DIR | --no-spool] [--langfuse-transport otlp|ingestion] [--dashboard]

Runs a simulated coding-agent session through registerMiniAgentTracing(): decisions, tool calls
in all five categories (core, file, mcp, document, skill; one of them fails), an LLM call and
memory/CPU metrics. Then flushes and reads the rows back: rows per table, tool latencies, the
failure. Tables are created (migrated) first when missing, unless --no-migrate is given.

Records a sink cannot take yet wait in a durable spool on disk and are delivered by the next run.

Options:
${DATABASE_FLAGS_HELP}
${MIGRATE_FLAGS_HELP}
  --spool-dir DIR     Where undelivered records wait, on disk (default ${DEFAULT_SPOOL_DIR})
  --no-spool          Keep undelivered records in memory only
${LANGFUSE_FLAGS_HELP}
  --dashboard         Then serve the dashboard over the same database (http://127.0.0.1:4400/)
  -h, --help          Show this help

Langfuse (LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY) and a collector (OTEL_EXPORTER_OTLP_ENDPOINT)
get the same session when configured.

Examples:
  mini-agent-otel demo
  mini-agent-otel demo --database-url postgres://postgres@127.0.0.1:5432/postgres`;

/** `demo`: a realistic agent session into the database, and what landed. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run a simulated agent session into the database and show what landed',
  help: HELP,
  async run(args, io) {
    const { values } = parsedOrUsageError('demo', () =>
      parseArgs({
        args: [...args],
        options: { ...DATABASE_FLAGS, ...MIGRATE_FLAGS, ...SPOOL_FLAGS, ...LANGFUSE_FLAGS, dashboard: { type: 'boolean' } },
        strict: true,
        allowPositionals: false,
      }),
    );
    const target = databaseTarget(values);
    const spoolDir = spoolDirOf(values['spool-dir'], values['no-spool'] ?? false);
    const langfuse = langfuseConfigWith(values['langfuse-transport']);
    const started = performance.now();
    const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

    io.out(`Database: ${target.label}`);
    if (target.kind === 'pglite') {
      io.out(existsSync(target.dataDir) ? 'Opening the embedded database...' : 'Creating the embedded database (first run only, a few seconds)...');
    }
    const opening = performance.now();
    const db = await openTarget(target);
    if (target.kind === 'pglite') io.out(`  opened in ${seconds(opening)}`);
    let tracing: MiniAgentTracing | undefined;
    try {
      tracing = registerMiniAgentTracing({
        serviceName: 'mini-agent-demo',
        serviceVersion: cliVersion(),
        postgres: { ...db.sinkOptions, ...migrateOptionOf(values['no-migrate']) },
        // Not configured: left to registerMiniAgentTracing, which says why Langfuse stays off.
        ...(langfuse.config ? { langfuse: langfuse.config } : {}),
        ...(spoolDir ? { delivery: { spoolDir } } : {}),
      });
      const others = tracing.sinks.map((s) => s.name).filter((name) => name !== 'postgres');
      if (others.length > 0) io.out(`Also sending to: ${others.join(', ')}`);

      const preparing = performance.now();
      io.out(values['no-migrate'] ? 'Checking the tables are migrated (--no-migrate)...' : 'Preparing tables (migrations)...');
      try {
        await tracing.ready;
      } catch (error) {
        throw new CliError(databaseErrorLine(error));
      }
      io.out(`  ready in ${seconds(preparing)}`);

      io.out('Running a simulated agent session:');
      const session = await runSimulatedSession((line) => io.out(line));
      io.out('Flushing spans and closing the exporter...');
      await tracing.shutdown();
      reportLosses(tracing, io);

      const report = await readLandedReport(db.reader, session.traceId);
      io.out('');
      io.out(`What landed for trace ${session.traceId}:`);
      for (const line of formatLandedReport(report)) io.out(line);
      io.out('');
      io.out(`Done in ${seconds(started)}.`);
      if (report.rowsPerTable.tool_executions !== session.tools) {
        throw new CliError(`expected ${session.tools} tool rows, found ${report.rowsPerTable.tool_executions}`);
      }
      if (!values.dashboard) return ExitCode.OK;
    } finally {
      await tracing?.shutdown();
      await db.close().catch(() => {});
    }
    // After the database is closed: the dashboard opens it again, read-only.
    io.out('');
    return serveDashboard({ target, anyPortIfTaken: true }, io);
  },
};

/** Anything a sink did not store is said out loud: the demo is where people check the setup. */
function reportLosses(tracing: MiniAgentTracing, io: Io): void {
  for (const [name, s] of Object.entries(tracing.stats().sinks)) {
    const lost = [...Object.values(s.dropped), ...Object.values(s.rejected)].reduce((a, b) => a + b, 0);
    if (lost > 0) io.err(`warning: ${name} did not store ${lost} records (${s.lastError ?? s.lastRejection ?? 'no error message'})`);
    if (s.spoolBytes > 0) io.err(`warning: ${name} could not be reached; ${s.spoolBytes} bytes wait in the spool for the next run`);
  }
}
