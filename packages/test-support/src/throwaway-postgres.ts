import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordPostgresSkip } from './postgres-skips.js';

/** A PostgreSQL server started for one test run; `stop()` removes it and its data. */
export interface ThrowawayPostgres {
  /** A superuser URL to the `postgres` database of the throwaway server. */
  readonly url: string;
  /** The bootstrap superuser's name (`postgres` unless asked otherwise). */
  readonly superuser: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): void;
  /** Stops the server without deleting its data (for outage tests); `start()` brings it back. */
  pause(): void;
  start(): void;
}

/**
 * Finds the directory holding `pg_ctl` and `initdb`: `PG_BIN`, the PATH, or Debian's layout. A
 * suite that skips when this is `null` is noted for the CI guard (see `recordPostgresSkip`).
 */
export function findPostgresBinaries(): string | null {
  const found = searchPostgresBinaries();
  if (found === null) recordPostgresSkip('no PostgreSQL binaries found (PG_BIN, PATH, /usr/lib/postgresql)');
  return found;
}

function searchPostgresBinaries(): string | null {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const version of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) {
      candidates.push(join(debian, version, 'bin'));
    }
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(dir);
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) ?? null;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts a throwaway PostgreSQL cluster on 127.0.0.1 (trust auth, fsync off). PostgreSQL
 * refuses to run as root, so as root it runs as the `postgres` system user, created if absent.
 * `superuser` names the bootstrap superuser (Supabase's is `supabase_admin`, and its `postgres`
 * is an ordinary role).
 */
export async function startThrowawayPostgres(binDir: string, options: { superuser?: string } = {}): Promise<ThrowawayPostgres> {
  const superuser = options.superuser ?? 'postgres';
  const asRoot = process.getuid?.() === 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'mini-agent-pg-'));
  const port = await freePort();
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const : [cmd, args] as const;
    execFileSync(full[0], [...full[1]], { stdio: 'pipe' });
  };
  if (asRoot) {
    if (spawnSync('id', ['-u', 'postgres']).status !== 0) {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/bin/false', 'postgres']);
    }
    chmodSync(dataDir, 0o700);
    execFileSync('chown', ['postgres', dataDir]);
  }
  run(join(binDir, 'initdb'), ['-D', dataDir, '-U', superuser, '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const start = () =>
    run(join(binDir, 'pg_ctl'), [
      '-D', dataDir, '-w', '-l', join(dataDir, 'server.log'), '-o',
      `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
      'start',
    ]);
  const pause = () => run(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  start();
  return {
    url: `postgres://${superuser}@127.0.0.1:${port}/postgres`,
    superuser,
    port,
    dataDir,
    start,
    pause,
    stop() {
      try {
        pause();
      } catch {
        // already stopped
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
