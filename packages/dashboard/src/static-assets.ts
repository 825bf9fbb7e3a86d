import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A file the pages load, kept in memory: they are few and small. */
export interface StaticAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

const require = createRequire(import.meta.url);
/** The package's own client files, beside `src/` and `dist/`. */
const ownAsset = (name: string) => fileURLToPath(new URL(`../assets/${name}`, import.meta.url));

/**
 * URL name → file. uPlot is served from its installed package (a dependency of this one), never
 * copied and never from a CDN, so the dashboard works offline.
 */
const FILES: Readonly<Record<string, { path: () => string; contentType: string }>> = {
  'uPlot.iife.min.js': { path: () => require.resolve('uplot/dist/uPlot.iife.min.js'), contentType: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), contentType: 'text/css; charset=utf-8' },
  'dashboard.js': { path: () => ownAsset('dashboard.js'), contentType: 'text/javascript; charset=utf-8' },
  'live.js': { path: () => ownAsset('live.js'), contentType: 'text/javascript; charset=utf-8' },
  'dashboard.css': { path: () => ownAsset('dashboard.css'), contentType: 'text/css; charset=utf-8' },
  'favicon.svg': { path: () => ownAsset('favicon.svg'), contentType: 'image/svg+xml' },
};

/** Reads every asset once; a missing file fails here, at start-up, rather than as a broken page. */
export function loadStaticAssets(): ReadonlyMap<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const [name, file] of Object.entries(FILES)) {
    const body = readFileSync(file.path());
    assets.set(name, { body, contentType: file.contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}
