import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Packs } from './packs.js';

const run = promisify(execFile);
const APPS = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'apps');

/** A user's application in a scratch directory, with its own `package.json` and `node_modules`. */
export interface ScratchApp {
  readonly dir: string;
  readonly node: string;
  /** Runs one of the scripts of `apps/` with the app's Node binary. */
  runScript(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Every installed copy of a package: `version` and where it sits. */
  copiesOf(name: string): { version: string; path: string }[];
  /** MB on disk of `node_modules`. */
  installedMegabytes(): Promise<number>;
  remove(): void;
}

/** How the app installs: plain npm, or pnpm with `strict-peer-dependencies`. */
export type Installer = 'npm' | 'pnpm-strict';

/**
 * Creates an app whose `package.json` lists `dependencies` (its own OpenTelemetry choice) and the
 * packed libraries, then installs it with `installer` running on `node` (so the package manager
 * sees that Node version, as it picks versions by their `engines`). npm's and pnpm's own caches
 * are reused across runs: a warm install takes seconds.
 */
export async function createScratchApp(options: {
  name: string;
  node: string;
  installer: Installer;
  dependencies: Record<string, string>;
  packs: Packs;
}): Promise<ScratchApp & { installOutput: string }> {
  const dir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  const local = Object.fromEntries(Object.entries(options.packs).map(([name, path]) => [name, `file:${path}`]));
  const manifest: Record<string, unknown> = {
    name: options.name,
    private: true,
    type: 'module',
    dependencies: { ...options.dependencies, ...local },
  };
  // pnpm resolves the libraries' dependencies on each other (`@mini-agent/core@0.1.0`) from the
  // registry unless told that they are these tarballs; npm takes the top-level copies it has.
  if (options.installer === 'pnpm-strict') manifest.pnpm = { overrides: local };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const script of readdirSync(APPS)) copyFileSync(join(APPS, script), join(dir, script));
  const env = { ...userEnvironment(), PATH: `${dirname(options.node)}:${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };
  const command =
    options.installer === 'npm'
      ? ['npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=warn']]
      : ['pnpm', ['install', '--config.strict-peer-dependencies=true', '--prefer-offline', '--ignore-workspace', '--reporter=append-only']];
  let installOutput: string;
  try {
    const { stdout, stderr } = await run(command[0] as string, command[1] as string[], { cwd: dir, env, maxBuffer: 32 * 1024 * 1024 });
    installOutput = `${stdout}${stderr}`;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${options.installer} install of ${options.name} failed:\n${failed.stdout ?? ''}${failed.stderr ?? failed.message}`);
  }
  return {
    dir,
    node: options.node,
    installOutput,
    runScript: (script, extra) => runScript(options.node, dir, script, extra),
    copiesOf: (name) => copiesOf(dir, name),
    async installedMegabytes() {
      const { stdout } = await run('du', ['-sm', join(dir, 'node_modules')]);
      return Number(stdout.split(/\s/)[0]);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `npm ls --all` in the app: its exit code and output (non-zero on missing, invalid or extraneous packages). */
export async function npmLs(app: ScratchApp): Promise<{ code: number; output: string }> {
  const env = { ...userEnvironment(), PATH: `${dirname(app.node)}:${process.env.PATH ?? ''}` };
  try {
    const { stdout, stderr } = await run('npm', ['ls', '--all'], { cwd: app.dir, env, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/**
 * The environment of a user's shell: nothing from the test run. Above all no `NODE_PATH` (pnpm sets
 * it to the workspace's hoisted packages, where a package missing from the app would be found) and
 * no `npm_*` settings of the workspace's package manager; no database, Langfuse or OTel variables.
 */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(NODE_PATH|npm_|PNPM_|DATABASE_URL|SUPABASE_DB_URL|LANGFUSE_|OTEL_|MINI_AGENT_|NODE_OPTIONS|VITEST|NODE_ENV|TEST)/.test(key)) continue;
    env[key] = value;
  }
  return env;
}

function runScript(node: string, dir: string, script: string, extra: Record<string, string>) {
  const env = userEnvironment();
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolvePromise, reject) => {
    const child = spawn(node, [script], { cwd: dir, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => void (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => void (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/**
 * Every copy of `name` under the app's `node_modules`, however the package manager laid it out:
 * npm nests a second copy under its dependent, pnpm keeps one directory per version (and peer
 * set) under `.pnpm` and links to it. A copy is a directory of files, found once however many
 * links point at it.
 */
function copiesOf(dir: string, name: string): { version: string; path: string }[] {
  const found = new Map<string, { version: string; path: string }>();
  const visit = (nodeModules: string, depth: number): void => {
    if (depth > 12 || !existsSync(nodeModules)) return;
    const candidate = join(nodeModules, name);
    if (existsSync(join(candidate, 'package.json'))) {
      const real = realpathSync(candidate);
      const { version } = JSON.parse(readFileSync(join(real, 'package.json'), 'utf8')) as { version: string };
      found.set(real, { version, path: real });
    }
    for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
      if (entry.name === '.bin' || !(entry.isDirectory() || entry.isSymbolicLink())) continue;
      if (entry.name === '.pnpm') {
        for (const store of readdirSync(join(nodeModules, '.pnpm'), { withFileTypes: true })) {
          if (store.isDirectory() && store.name !== 'node_modules') visit(join(nodeModules, '.pnpm', store.name, 'node_modules'), depth + 1);
        }
        continue;
      }
      const packages = entry.name.startsWith('@') ? readdirSync(join(nodeModules, entry.name)).map((scoped) => join(entry.name, scoped)) : [entry.name];
      for (const pkg of packages) visit(join(nodeModules, pkg, 'node_modules'), depth + 1);
    }
  };
  visit(join(dir, 'node_modules'), 0);
  return [...found.values()];
}
