import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/** A copy of a PGlite data directory, open read-only. */
export interface PgliteCopy {
  readonly db: PGlite;
  readonly dir: string;
  readonly takenAt: Date;
  /** What the source directory looked like when it was copied (see {@link directoryFingerprint}). */
  readonly fingerprint: string;
}

/**
 * What changes in a PGlite data directory when a transaction commits: its write-ahead log (a
 * commit writes it, whatever the table) and the control file (a checkpoint rewrites it). Names,
 * sizes and modification times only: a stat per file, no reading.
 */
export function directoryFingerprint(dataDir: string): string {
  const parts: string[] = [];
  const add = (path: string): void => {
    try {
      const stat = statSync(path);
      parts.push(`${path}:${stat.size}:${stat.mtimeMs}`);
    } catch {
      parts.push(`${path}:-`);
    }
  };
  add(join(dataDir, 'global', 'pg_control'));
  try {
    for (const name of readdirSync(join(dataDir, 'pg_wal')).sort()) if (/^[0-9A-F]{24}$/.test(name)) add(join(dataDir, 'pg_wal', name));
  } catch {
    // No pg_wal (not a data directory yet): the control file alone decides.
  }
  return parts.join('|');
}

/**
 * Copies the data directory to a fresh temporary directory and opens the copy. PGlite has no
 * locking between processes, so the agent's own directory is never opened: the copy is the
 * dashboard's, and only it is read. The fingerprint is taken before copying, so a commit that
 * lands during the copy makes the next check see a change.
 */
export async function takePgliteCopy(dataDir: string): Promise<PgliteCopy> {
  const fingerprint = directoryFingerprint(dataDir);
  const dir = mkdtempSync(join(tmpdir(), 'mini-agent-dashboard-'));
  try {
    cpSync(dataDir, dir, { recursive: true });
    const db = await PGlite.create(dir);
    return { db, dir, takenAt: new Date(), fingerprint };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Closes a copy and removes its directory. */
export async function discardPgliteCopy(copy: PgliteCopy): Promise<void> {
  try {
    if (!copy.db.closed) await copy.db.close();
  } finally {
    rmSync(copy.dir, { recursive: true, force: true });
  }
}
