import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A `require` made by the package that declares the peer (`createRequire(import.meta.url)`):
 * package managers that link peers per package (pnpm) resolve a peer only from its dependent.
 */
export type PeerRequire = NodeJS.Require;

/** An OpenTelemetry package the application did not install, named with what to install. */
export class MissingPeerError extends Error {
  constructor(
    /** The package that could not be loaded. */
    readonly packageName: string,
    /** What needs it and what to install, in one sentence. */
    hint: string,
  ) {
    super(`${packageName} is not installed. ${hint}`);
    this.name = 'MissingPeerError';
  }
}

/**
 * Loads an optional peer dependency now, synchronously, so setup functions can stay synchronous.
 * Throws {@link MissingPeerError} with `hint` when the application has not installed it; any
 * other failure (a broken install) is rethrown as it is.
 */
export function loadPeer<T>(require: PeerRequire, packageName: string, hint: string): T {
  try {
    return require(packageName) as T;
  } catch (error) {
    if (isNotFound(error, packageName)) throw new MissingPeerError(packageName, hint);
    throw error;
  }
}

/**
 * The version of an installed package as resolved from the caller, or `undefined` when it is not
 * installed. Read from its `package.json`, found by walking up from its entry point: packages
 * with an `exports` map (the 3.x SDK) do not export `package.json` itself.
 */
export function installedVersion(require: PeerRequire, packageName: string): string | undefined {
  let entry: string;
  try {
    entry = require.resolve(packageName);
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest?.name === packageName) return manifest.version;
    if (dirname(dir) === dir) return undefined;
  }
}

function readManifest(path: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
  } catch {
    return undefined;
  }
}

function isNotFound(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return false;
  // Only the peer itself missing; a missing file inside an installed package is a broken install.
  return String((error as Error).message).includes(`'${packageName}'`);
}
