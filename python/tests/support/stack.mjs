#!/usr/bin/env node
// The real parts the Python suite runs against, started from the workspace's built packages:
// a PostgreSQL database (a throwaway server, or a fresh database on DATABASE_URL's server) and
// `mini-agent-otel serve` writing into it. Prints one JSON line
// {"tracesUrl","databaseUrl","token"} when both are ready, then answers one JSON request a line
// on stdin ({"sql","params"} → {"rows"} or {"error"}), and stops everything when stdin closes.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const testSupport = await import(pathToFileURL(join(ROOT, 'packages/test-support/dist/index.js')).href);
const postgres = createRequire(join(ROOT, 'packages/test-support/package.json'))('postgres');
const TOKEN = `py-${randomBytes(8).toString('hex')}`;
const cleanups = [];
const fail = (message) => {
  process.stderr.write(`stack: ${message}\n`);
  shutdown(1);
};

let adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  const bin = testSupport.findPostgresBinaries();
  if (!bin) {
    console.log(JSON.stringify({ skip: 'no PostgreSQL: set DATABASE_URL or install the PostgreSQL server binaries' }));
    process.exit(0);
  }
  const server = await testSupport.startThrowawayPostgres(bin);
  cleanups.push(() => server.stop());
  adminUrl = server.url;
}
const dbName = `py_${randomBytes(6).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${dbName}`);
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
cleanups.push(async () => {
  await sql?.end({ timeout: 1 });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
  await admin.end({ timeout: 1 });
});
let sql;

const env = { ...process.env, MINI_AGENT_BRIDGE_TOKEN: TOKEN };
for (const key of Object.keys(env)) if (/^(LANGFUSE_|OTEL_|SUPABASE_DB_URL|DATABASE_URL)/.test(key)) delete env[key];
const bridge = spawn(process.execPath, [join(ROOT, 'packages/cli/dist/bin.js'), 'serve', '--port', '0', '--database-url', databaseUrl, '--no-spool', '--no-langfuse'], {
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
});
cleanups.unshift(() => new Promise((resolve) => (bridge.exitCode !== null ? resolve() : (bridge.once('exit', resolve), bridge.kill('SIGTERM')))));
let out = '';
bridge.stderr.on('data', (chunk) => process.stderr.write(`bridge: ${chunk}`));
bridge.once('exit', (code) => {
  if (!stopping) fail(`the bridge exited early (code ${code}):\n${out}`);
});
const tracesUrl = await new Promise((resolve) => {
  bridge.stdout.on('data', (chunk) => {
    out += chunk;
    const url = /^mini-agent bridge listening on (http:\/\/\S+)$/m.exec(out)?.[1];
    if (url && out.includes('sinks ready')) resolve(url);
  });
});
sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
console.log(JSON.stringify({ tracesUrl, databaseUrl, token: TOKEN }));

const lines = createInterface({ input: process.stdin });
// Answered one at a time, in order: the Python side reads one line per request.
let queue = Promise.resolve();
lines.on('line', (line) => (queue = queue.then(() => answer(line))));
lines.on('close', () => queue.then(() => shutdown(0)));
process.on('SIGTERM', () => shutdown(0));

async function answer(line) {
  let answer;
  try {
    const { sql: text, params = [] } = JSON.parse(line);
    answer = { rows: await sql.unsafe(text, params) };
  } catch (error) {
    answer = { error: String(error?.message ?? error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const cleanup of cleanups) await Promise.resolve().then(cleanup).catch(() => {});
  process.exit(code);
}
