import type { CommandEntry } from '../command.js';

/**
 * Every subcommand, in the order `--help` lists them: one line each. A module is imported only
 * when its command runs, so `--version` and `--help` stay fast and one broken or heavy command
 * cannot slow down or break the others.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'demo', summary: 'Run a simulated agent session into the database and show what landed', load: async () => (await import('./demo.js')).demoCommand },
  { name: 'migrate', summary: 'Create or update the tables (idempotent)', load: async () => (await import('./migrate.js')).migrateCommand },
  { name: 'serve', summary: 'Receive OTLP spans (from a Collector or any SDK) and store them', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'report', summary: 'Summarize tools, sessions, errors and token usage over a time window', load: async () => (await import('./report.js')).reportCommand },
  { name: 'score', summary: "Add a score (feedback, a judge's verdict) to a session or span in the database", load: async () => (await import('./score.js')).scoreCommand },
  { name: 'alerts', summary: 'Print the alerts that fire (exit 1 if any); POST them to a webhook', load: async () => (await import('./alerts.js')).alertsCommand },
  { name: 'prune', summary: 'Delete telemetry older than the retention (or --older-than), in small batches', load: async () => (await import('./prune.js')).pruneCommand },
  { name: 'dashboard', summary: 'Serve a read-only web dashboard: tools, sessions, span waterfalls, alerts', load: async () => (await import('./dashboard.js')).dashboardCommand },
  { name: 'search-indexes', summary: "Build (or --drop) the trigram indexes that make the dashboard's search fast", load: async () => (await import('./search-indexes.js')).searchIndexesCommand },
];
