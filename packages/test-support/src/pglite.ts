import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

let template: Promise<Blob> | undefined;

/**
 * A fresh, empty in-memory PGlite database, fast. Creating one from scratch runs initdb in
 * WebAssembly (2–4 s); restoring the data directory of one made earlier takes about a third of
 * that. The template is made once per machine and PGlite version and kept in the OS temp folder,
 * so every test file and every worker reuses it.
 */
export async function createTestPglite(): Promise<PGlite> {
  template ??= loadOrMakeTemplate();
  return PGlite.create({ loadDataDir: await template });
}

async function loadOrMakeTemplate(): Promise<Blob> {
  const file = join(tmpdir(), `mini-agent-pglite-template-${pgliteVersion()}.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const db = await PGlite.create();
  const dump = await db.dumpDataDir('none');
  await db.close();
  // Written under a unique name, then renamed: a worker reading it never sees half a file.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, file);
  return dump;
}

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}
