import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { DEFAULT_PGLITE_DIR, maskDatabaseUrl, type PostgresSinkOptions } from '@mini-agent/exporter-postgres';
import postgres from 'postgres';
import { CliError, ExitCode } from './command.js';
import type { QueryRunner } from './demo/landed-report.js';

/** The `--database-url` / `--data-dir` flags every database command takes. */
export const DATABASE_FLAGS = {
  'database-url': { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

/** Help text for {@link DATABASE_FLAGS}. */
export const DATABASE_FLAGS_HELP = [
  '  --database-url URL  PostgreSQL or Supabase URL. Default: DATABASE_URL, else SUPABASE_DB_URL,',
  `                      else the embedded PGlite database in ${DEFAULT_PGLITE_DIR}`,
  `  --data-dir DIR      Use the embedded PGlite database in DIR (default ${DEFAULT_PGLITE_DIR})`,
].join('\n');

/** Where a command reads and writes: a server URL, or a PGlite data directory. */
export type DatabaseTarget =
  | { readonly kind: 'url'; readonly url: string; readonly label: string }
  | { readonly kind: 'pglite'; readonly dataDir: string; readonly label: string };

/** The flags first, then the environment, then the embedded default (the same order as the exporter). */
export function databaseTarget(flags: { 'database-url'?: string | undefined; 'data-dir'?: string | undefined }, env = process.env): DatabaseTarget {
  const flagUrl = flags['database-url'];
  const dataDir = flags['data-dir'];
  if (flagUrl !== undefined && dataDir !== undefined) {
    throw new CliError('--database-url and --data-dir name two different databases; give one of them', ExitCode.USAGE);
  }
  if (flagUrl === '') throw new CliError('--database-url is empty', ExitCode.USAGE);
  const url = flagUrl ?? (dataDir === undefined ? env.DATABASE_URL || env.SUPABASE_DB_URL || undefined : undefined);
  if (url) return { kind: 'url', url, label: maskDatabaseUrl(url) };
  const dir = resolve(dataDir ?? DEFAULT_PGLITE_DIR);
  return { kind: 'pglite', dataDir: dir, label: `PGlite at ${dir}` };
}

/** An open database the command can both hand to the exporter and query back. */
export interface OpenTarget {
  /** What `registerMiniAgentTracing({ postgres })` should write into. */
  readonly sinkOptions: PostgresSinkOptions;
  readonly reader: QueryRunner;
  close(): Promise<void>;
}

/**
 * Opens the target for a command that writes through the exporter and then reads the rows back.
 * PGlite allows one opener per data directory, so the command opens it and lends the instance
 * to the exporter; a server gets a separate one-connection reader.
 */
export async function openTarget(target: DatabaseTarget): Promise<OpenTarget> {
  if (target.kind === 'url') {
    const sql = postgres(target.url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
    return {
      sinkOptions: { databaseUrl: target.url },
      reader: { query: async (text, params = []) => [...(await sql.unsafe(text, params as never[]))] },
      close: () => sql.end({ timeout: 5 }),
    };
  }
  let db: PGlite;
  try {
    mkdirSync(target.dataDir, { recursive: true });
    db = await PGlite.create(target.dataDir);
  } catch (error) {
    throw new CliError(`cannot open ${target.label}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    sinkOptions: { pglite: db },
    reader: { query: async (text, params = []) => (await db.query<Record<string, unknown>>(text, [...params])).rows },
    close: () => db.close(),
  };
}

/** A delivery or migration error as one line for the user: the exporter's message already names the database, password masked. */
export function databaseErrorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^postgres:\s*/, '').replace(/\s+/g, ' ').trim();
}
