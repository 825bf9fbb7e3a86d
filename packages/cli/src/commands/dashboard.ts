import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEFAULT_PORT, isLoopback, startDashboard, type Dashboard } from '@mini-agent/dashboard';
import { CliError, ExitCode, type Command, type Io } from '../command.js';
import { databaseTarget, DATABASE_FLAGS, DATABASE_FLAGS_HELP, type DatabaseTarget } from '../database-target.js';
import { parsedOrUsageError } from '../parse.js';
import { nextShutdownSignal } from '../shutdown-signal.js';

/** The environment variable holding the dashboard's token. */
export const DASHBOARD_TOKEN_ENV = 'MINI_AGENT_DASHBOARD_TOKEN';

const HELP = `Usage: mini-agent-otel dashboard [--port ${DEFAULT_PORT}] [--host 127.0.0.1] [--token TOKEN] [--database-url URL | --data-dir DIR]

Serves a read-only web dashboard over the mini-agent tables: an overview (sessions over time,
success and error rates, p95 tool latency, firing alerts), tools (latency percentiles and
histograms, error rates), sessions (each with its span waterfall, tool inputs and outputs,
decisions, metrics and LLM calls) and alert rules with their current values.

It only reads (read-only transactions). The sessions list and a running session's page refresh
by themselves (the Live switch in the header turns that off). An embedded PGlite database is read
from a copy, so an agent can keep writing into it; the copy is taken again when the database
changes. With the Langfuse sink's settings in the environment (LANGFUSE_PUBLIC_KEY,
LANGFUSE_SECRET_KEY, LANGFUSE_BASE_URL; LANGFUSE_PROJECT_ID optional), each session links to the
same trace in Langfuse. Ctrl-C or SIGTERM stops it.

Options:
  --port PORT         TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host HOST         Interface to listen on (default 127.0.0.1). Any address other machines can
                      reach requires a token; one is generated and printed when none is given
  --token TOKEN       Token every request must carry (default: ${DASHBOARD_TOKEN_ENV}). Open the
                      dashboard once with ?token=TOKEN; a cookie keeps the browser signed in
${DATABASE_FLAGS_HELP}
  -h, --help          Show this help

Examples:
  mini-agent-otel dashboard
  mini-agent-otel dashboard --database-url "$SUPABASE_DB_URL"
  mini-agent-otel demo --dashboard`;

/** `dashboard`: the web dashboard until Ctrl-C. */
export const dashboardCommand: Command = {
  name: 'dashboard',
  summary: 'Serve a read-only web dashboard: tools, sessions, span waterfalls, alerts',
  help: HELP,
  async run(args, io) {
    const { values } = parsedOrUsageError('dashboard', () =>
      parseArgs({
        args: [...args],
        options: { ...DATABASE_FLAGS, port: { type: 'string' }, host: { type: 'string' }, token: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      }),
    );
    return serveDashboard(
      { target: databaseTarget(values), port: portOf(values.port), host: values.host ?? '127.0.0.1', token: values.token || process.env[DASHBOARD_TOKEN_ENV] || undefined },
      io,
    );
  },
};

/** What {@link serveDashboard} serves, and where. */
export interface ServeDashboardOptions {
  readonly target: DatabaseTarget;
  /** Default {@link DEFAULT_PORT}. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly token?: string | undefined;
  /** When the port is taken, take a free one instead of failing (`demo --dashboard`). */
  readonly anyPortIfTaken?: boolean;
}

/** Starts the dashboard, prints where it is, and serves until SIGINT/SIGTERM. */
export async function serveDashboard(options: ServeDashboardOptions, io: Io): Promise<number> {
  const { port = DEFAULT_PORT, host = '127.0.0.1' } = options;
  const generated = !options.token && !isLoopback(host) ? randomBytes(18).toString('base64url') : undefined;
  const token = options.token ?? generated;
  const start = (port: number): Promise<Dashboard> =>
    startDashboard({
      ...(options.target.kind === 'url' ? { databaseUrl: options.target.url } : { dataDir: options.target.dataDir }),
      port,
      host,
      ...(token ? { token } : {}),
      log: (line) => io.err(line),
    });
  let dashboard: Dashboard;
  try {
    dashboard = await start(port).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' && options.anyPortIfTaken) return start(0);
      throw error;
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${port} is in use (try --port 0)` : error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot serve the dashboard on ${host}:${port}: ${why}`);
  }
  // A generated token has to be shown to be usable; one the user chose is theirs and stays out of the output.
  io.out(`Dashboard: ${dashboard.url}${generated ? `?token=${generated}` : ''}`);
  io.out(`  data:  ${dashboard.source} (read-only)`);
  if (token) io.out(`  token: ${generated ? 'generated for this run (in the URL above)' : `required (from --token or ${DASHBOARD_TOKEN_ENV}); open the URL with ?token=…`}`);
  io.out('  Ctrl-C to stop.');
  const signal = await nextShutdownSignal(io);
  io.out(`${signal}: stopping the dashboard`);
  await dashboard.close();
  return ExitCode.OK;
}

function portOf(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_PORT;
  const port = Number(flag);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--port must be a number from 0 to 65535, got '${flag}'`, ExitCode.USAGE);
  return port;
}
