import { formatTime } from './format.js';
import { html, join, type HtmlValue, type SafeHtml } from './html.js';
import { RANGES, sinceParam, untilParam, windowParams, type TimeWindow } from '../time-window.js';

/** The sections of the navigation. */
export type Section = 'overview' | 'tools' | 'sessions' | 'users' | 'spend' | 'alerts';

/** What every page says about where its data comes from. */
export interface PageContext {
  /** The data source, printable (password masked). */
  readonly source: string;
  /** When the PGlite copy the pages read was taken, if they read one. */
  readonly snapshotAt?: Date | undefined;
  /** The instant the request's windows end at ("now"), fixed once per request. */
  readonly now: Date;
  /** How often a live page fetches itself again, in milliseconds. */
  readonly liveIntervalMs?: number;
}

/** One page: title, section, body; the window when the page has one. */
export interface PageSpec {
  readonly title: string;
  readonly section: Section | null;
  readonly body: HtmlValue;
  readonly window?: TimeWindow;
  /** Extra `data-*` facts on `<body>` a reader can check the figures with. Keys are constants of this package. */
  readonly facts?: Readonly<Record<string, string>>;
  /** HTTP status; 200 unless the page says what it shows was not found. */
  readonly status?: number;
  /**
   * The page refreshes itself (its `[data-live-region]` elements) while it is open, unless the
   * reader turns Live off: the sessions list, a session still running.
   */
  readonly live?: boolean;
}

/** Default {@link PageContext.liveIntervalMs}. */
export const DEFAULT_LIVE_INTERVAL_MS = 5_000;

const NAV: readonly { section: Section; label: string; path: string }[] = [
  { section: 'overview', label: 'Overview', path: '/' },
  { section: 'tools', label: 'Tools', path: '/tools' },
  { section: 'sessions', label: 'Sessions', path: '/sessions' },
  { section: 'users', label: 'Users', path: '/users' },
  { section: 'spend', label: 'Spend', path: '/spend' },
  { section: 'alerts', label: 'Alerts', path: '/alerts' },
];

/** A path with query parameters; empty values are left out. */
export function href(path: string, params: Readonly<Record<string, string | number | undefined>> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

/** The whole HTML document of a page. */
export function layout(spec: PageSpec, context: PageContext): SafeHtml {
  const windowFacts = spec.window
    ? { since: sinceParam(spec.window), until: untilParam(spec.window), range: spec.window.range }
    : {};
  const liveFacts = spec.live ? { live: 'true', 'live-interval': String(context.liveIntervalMs ?? DEFAULT_LIVE_INTERVAL_MS) } : {};
  const facts = { page: spec.section ?? 'other', now: context.now.toISOString(), ...windowFacts, ...liveFacts, ...spec.facts };
  const nav = spec.window ? windowParams(spec.window) : {};
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${spec.title} · mini-agent-otel</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/uPlot.min.css">
<link rel="stylesheet" href="/static/dashboard.css">
<script src="/static/uPlot.iife.min.js" defer></script>
<script src="/static/dashboard.js" defer></script>
${spec.live ? html`<script src="/static/live.js" defer></script>` : ''}
</head>
<body ${join(Object.entries(facts), ([key, value]) => html`data-${key}="${value}" `)}>
<header class="top">
  <a class="brand" href="/">mini-agent-otel</a>
  <nav>${join(NAV, (item) => html`<a href="${href(item.path, item.section === 'alerts' ? {} : nav)}"${item.section === spec.section ? html` aria-current="page"` : ''}>${item.label}</a>`)}</nav>
  ${spec.live ? html`<label class="live-toggle" hidden title="Refresh this page's data while it is open"><input type="checkbox" id="live-toggle" checked> Live <span id="live-status" class="muted small" aria-live="polite"></span></label>` : ''}
</header>
<main>
${spec.body}
</main>
<footer>
  <span>Data: ${context.source}</span>
  ${context.snapshotAt ? html`<span>Copy of the PGlite database taken ${formatTime(context.snapshotAt)}; taken again when the database changes.</span>` : ''}
  <span>Rendered ${formatTime(context.now)} · read-only</span>
</footer>
</body>
</html>
`;
}

/** The range choices of a windowed page, keeping the page's other parameters. */
export function rangePicker(path: string, window: TimeWindow, keep: Readonly<Record<string, string>> = {}): SafeHtml {
  return html`<div class="ranges" role="group" aria-label="Time range">${join(Object.entries(RANGES), ([key, spec]) =>
    html`<a href="${href(path, { ...keep, range: key === '24h' ? undefined : key })}"${window.range === key ? html` aria-current="true"` : ''}>${spec.label}</a>`,
  )}${window.range === 'custom' ? html`<span class="custom" aria-current="true">${window.label}</span>` : ''}</div>`;
}
