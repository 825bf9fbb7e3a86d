#!/usr/bin/env node
// Masks each JSON line of stdin ({"text"} or {"key"}) with @mini-agent/core's default Redactor and
// prints the answer as a JSON line: the reference the Python redactor is compared to.
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const { Redactor } = await import(pathToFileURL(join(ROOT, 'packages/core/dist/index.js')).href);
const redactor = new Redactor();
for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line);
  const answer = 'key' in request ? { secret: redactor.isSecretKey(request.key) } : redactor.redactString(request.text);
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
