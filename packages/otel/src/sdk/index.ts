import { createRequire } from 'node:module';
import { diag } from '@opentelemetry/api';
import { installedVersion, type PeerRequire } from '@mini-agent/core';
import { sdk2 } from './sdk-2.js';
import { sdk3 } from './sdk-3.js';
import type { TraceSdk } from './types.js';

export type { BatchOptions, SdkTracerProvider, TraceSdk } from './types.js';

// The application brings its OpenTelemetry SDK (peer dependencies); which line it is decides how a
// provider is built and registered. Chosen once per process, here; nothing else asks.
const require = createRequire(import.meta.url);
const HINT =
  'registerMiniAgentTracing() builds its tracer provider with your OpenTelemetry SDK: ' +
  'npm install @opentelemetry/sdk-trace-node@2 (SDK 2.x, api 1.9), or @opentelemetry/sdk-trace@3 @opentelemetry/context-async-hooks@3 (SDK 3.x, api 1.10).';

const PACKAGES = [
  '@opentelemetry/api',
  '@opentelemetry/core',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/context-async-hooks',
] as const;

let chosen: TraceSdk | undefined;

/**
 * The trace SDK line the application installed: `@opentelemetry/sdk-trace` 3.x if present, else
 * `@opentelemetry/sdk-trace-node` 2.x (registered as before), else `@opentelemetry/sdk-trace` 2.9+
 * (the 3.x interface on the 2.x line). Throws `MissingPeerError` when there is none. Warns once
 * when the versions found are a combination the SDK itself does not support.
 */
export function traceSdk(): TraceSdk {
  chosen ??= selectTraceSdk(require);
  return chosen;
}

/** {@link traceSdk} resolving from another location: for tests. */
export function selectTraceSdk(from: PeerRequire): TraceSdk {
  const packages: Record<string, string> = {};
  for (const name of PACKAGES) {
    const version = installedVersion(from, name);
    if (version) packages[name] = version;
  }
  warnIfUnsupported(packages);
  const sdkTrace = major(packages['@opentelemetry/sdk-trace']);
  if (sdkTrace !== undefined && sdkTrace >= 3) return sdk3(from, packages, HINT);
  if (packages['@opentelemetry/sdk-trace-node']) return sdk2(from, packages, HINT);
  return sdk3(from, packages, HINT);
}

const WARNED = Symbol.for('@mini-agent/otel.unsupported-versions-warned');

/**
 * One warning per process, naming the versions found, when they are outside what the SDK lines
 * support: api below 1.9 (this package's floor), SDK 3.x with api below 1.10, SDK 2.x with api
 * 1.10 or later (2.x declares `api < 1.10`). Spans may still flow; context and registration are
 * what break first when the API and SDK disagree.
 */
export function unsupportedCombination(packages: Readonly<Record<string, string>>): string | undefined {
  const api = packages['@opentelemetry/api'];
  if (!api) return undefined;
  const [apiMajor = 0, apiMinor = 0] = api.split('.').map(Number);
  const sdk = Object.entries(packages).filter(([name]) => name.startsWith('@opentelemetry/sdk-trace'));
  const line = Math.max(0, ...sdk.map(([, version]) => major(version) ?? 0));
  const problem =
    apiMajor !== 1 || apiMinor < 9
      ? 'this package needs @opentelemetry/api ^1.9.0'
      : line >= 3 && apiMinor < 10
        ? 'the 3.x SDK needs @opentelemetry/api ^1.10.0'
        : line === 2 && apiMinor >= 10
          ? 'the 2.x SDK supports @opentelemetry/api below 1.10'
          : undefined;
  if (!problem) return undefined;
  const found = Object.entries(packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return `@mini-agent/otel: unsupported OpenTelemetry versions (${found}): ${problem}. Supported: api ^1.9.0 with SDK 2.x, or api ^1.10.0 with SDK 3.x.`;
}

function warnIfUnsupported(packages: Readonly<Record<string, string>>): void {
  const message = unsupportedCombination(packages);
  const global = globalThis as { [WARNED]?: boolean };
  if (!message || global[WARNED]) return;
  global[WARNED] = true;
  diag.warn(message);
  console.warn(message);
}

function major(version: string | undefined): number | undefined {
  return version === undefined ? undefined : Number(version.split('.')[0]);
}
