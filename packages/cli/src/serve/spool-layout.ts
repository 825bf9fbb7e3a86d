import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** `<spool>/worker-<i>`: the spool of worker slot `i` of `serve --workers N`. */
export function workerSpoolDir(root: string, index: number): string {
  return join(root, `worker-${index}`);
}

const WORKER_DIR = /^worker-(\d+)$/;

/**
 * Spool folders under `root` that no running process of this start owns, and that hold records:
 * with one process (`workers` 1, which spools in `root` itself) every `worker-<i>` left by an
 * earlier `--workers` run; with N workers the slots from N up, and what a single-process run left
 * in `root` itself. Someone must replay them, or the spans they hold (acknowledged to their
 * senders) would wait forever.
 */
export function orphanSpoolDirs(root: string, workers: number): string[] {
  const orphans: string[] = [];
  let ownRecords = false;
  for (const name of entries(root)) {
    const dir = join(root, name);
    const slot = WORKER_DIR.exec(name);
    if (slot) {
      if ((workers === 1 || Number(slot[1]) >= workers) && holdsRecords(dir)) orphans.push(dir);
    } else if (isDirectory(dir) && holdsSegments(dir)) {
      ownRecords = true;
    }
  }
  if (workers > 1 && ownRecords) orphans.unshift(root);
  return orphans;
}

/** Whether a spool folder (`<dir>/<sink>/*.seg`) holds a non-empty segment. */
function holdsRecords(dir: string): boolean {
  return entries(dir).some((sink) => isDirectory(join(dir, sink)) && holdsSegments(join(dir, sink)));
}

function holdsSegments(sinkDir: string): boolean {
  return entries(sinkDir).some((file) => file.endsWith('.seg') && sizeOf(join(sinkDir, file)) > 0);
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
