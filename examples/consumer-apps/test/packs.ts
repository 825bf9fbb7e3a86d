import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildWorkspacePackage, REPO_ROOT } from '@mini-agent/test-support';

const run = promisify(execFile);

/** What an agent app installs: the helpers and, through them, the exporters and the interpreter. */
export const LIBRARIES = ['semconv', 'core', 'exporter-postgres', 'exporter-langfuse', 'otel'] as const;

/** Package name → absolute path of its packed tarball. */
export type Packs = Readonly<Record<string, string>>;

/**
 * Builds the libraries and packs each with `pnpm pack`, as they would be published: `workspace:*`
 * becomes the real version, `files` decides what ships.
 */
export async function packLibraries(): Promise<{ dir: string; packs: Packs }> {
  await buildWorkspacePackage('@mini-agent/otel...');
  const dir = mkdtempSync(join(tmpdir(), 'mini-agent-packs-'));
  for (const library of LIBRARIES) {
    await run('pnpm', ['pack', '--pack-destination', dir], { cwd: join(REPO_ROOT, 'packages', library) });
  }
  const packs: Record<string, string> = {};
  for (const file of readdirSync(dir)) {
    // mini-agent-exporter-postgres-0.1.0.tgz → @mini-agent/exporter-postgres
    const match = /^mini-agent-(.+)-\d+\.\d+\.\d+(?:-[\w.]+)?\.tgz$/.exec(file);
    if (match) packs[`@mini-agent/${match[1]}`] = join(dir, file);
  }
  return { dir, packs };
}
