import { parseArgs } from 'node:util';
import { DEFAULT_BRIDGE_PORT, TOKEN_ENV } from '@mini-agent/bridge';
import { DEFAULT_SPOOL_DIR } from '@mini-agent/core';
import { CliError, ExitCode, type Command, type Io } from '../command.js';
import { databaseTarget, DATABASE_FLAGS, DATABASE_FLAGS_HELP } from '../database-target.js';
import { LANGFUSE_FLAGS, LANGFUSE_FLAGS_HELP, langfuseConfigWith } from '../langfuse-transport.js';
import { parsedOrUsageError } from '../parse.js';
import { SPOOL_FLAGS, spoolDirOf } from '../spool-dir.js';
import { MIGRATE_FLAGS, MIGRATE_FLAGS_HELP, migrateOptionOf } from '../migrate-flag.js';
import { runServeGroup } from '../serve/group.js';
import { runBridge, type ServeConfig } from '../serve/run-bridge.js';
import { WorkerLink, workerSlot } from '../serve/worker-link.js';

const HELP = `Usage: mini-agent-otel serve [--port ${DEFAULT_BRIDGE_PORT}] [--host 127.0.0.1] [--token TOKEN] [--database-url URL | --data-dir DIR] [--no-migrate] [--spool-dir DIR | --no-spool] [--workers N] [--langfuse-transport otlp|ingestion]

Runs the OTLP/HTTP bridge: receives spans at POST /v1/traces (protobuf or JSON, gzip or not)
from an OpenTelemetry Collector or any OTLP exporter, and stores them exactly as the in-process
exporters do: rows in PostgreSQL / Supabase (or embedded PGlite), observations in Langfuse when
LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY are set. GET /health reports liveness and readiness.

Records that cannot be delivered yet (the database or Langfuse is down) go to a durable spool on
disk, and a sender gets 200 only once its spans are stored or spooled; the spool is replayed in
order when the sink is back, and after a restart. While spans arrive it prints one line a second.
SIGTERM or Ctrl-C stops it gracefully: new requests are refused, the queue is exported and
flushed (or spooled), then it exits with code 0. A repeated SIGTERM is ignored while it stops;
a second Ctrl-C exits at once without flushing.

--workers N runs N bridge processes on the one port (each connection goes to the next one),
for more than one core's worth of spans: each has its own pipeline, database connections and
spool (<spool>/worker-<i>). A worker that dies is restarted and replays its spool; spools of
workers that no longer exist (a run with more workers, or a single-process run) are replayed
by the primary. SIGTERM to the primary stops every worker as above; /health, answered by any
worker, reports the group (and each worker under "workers"). Needs a database server: an
embedded PGlite database is one process's.

LLM calls are priced as they arrive (see docs/cost.md): custom prices in the model_prices
table win over the price library's and are read again every minute.

The tables are migrated at start unless --no-migrate is given. A database user that may not
migrate (or, with --no-migrate, a database that is not migrated) stops the bridge with one
message saying what is missing; spans already accepted stay in the spool for the next start.

Options:
  --port PORT         TCP port (default ${DEFAULT_BRIDGE_PORT}; the Collector's own OTLP ports are 4317/4318)
  --host HOST         Interface to listen on (default 127.0.0.1; 0.0.0.0 in a container)
  --token TOKEN       Bearer token senders must present (default: ${TOKEN_ENV}).
                      Prefer the environment variable: a flag shows up in the process list
  --spool-dir DIR     Where undelivered records wait, on disk (default ${DEFAULT_SPOOL_DIR})
  --no-spool          Keep undelivered records in memory only (lost if the process dies;
                      senders then get 200 as soon as their spans are queued)
  --workers N         Bridge processes sharing the port (default 1; about one per core,
                      leaving the database its own). See docs/scaling.md
${DATABASE_FLAGS_HELP}
${MIGRATE_FLAGS_HELP}
  --no-langfuse       Do not send to Langfuse even when its keys are set
${LANGFUSE_FLAGS_HELP}
  -h, --help          Show this help

Examples:
  MINI_AGENT_BRIDGE_TOKEN=s3cret mini-agent-otel serve
  mini-agent-otel serve --host 0.0.0.0 --port 4319 --database-url "$SUPABASE_DB_URL"
  mini-agent-otel serve --no-migrate --database-url "postgresql://mini_agent_writer:…@db.[REF].supabase.co:5432/postgres"`;

/** `serve`: the OTLP bridge with the sinks the environment configures. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Receive OTLP spans (from a Collector or any SDK) and store them',
  help: HELP,
  async run(args, io) {
    const { values } = parsedOrUsageError('serve', () =>
      parseArgs({
        args: [...args],
        options: {
          ...DATABASE_FLAGS,
          ...MIGRATE_FLAGS,
          port: { type: 'string' },
          host: { type: 'string' },
          token: { type: 'string' },
          workers: { type: 'string' },
          ...SPOOL_FLAGS,
          'no-langfuse': { type: 'boolean' },
          ...LANGFUSE_FLAGS,
        },
        strict: true,
        allowPositionals: false,
      }),
    );
    const langfuse = langfuseConfigWith(values['langfuse-transport']);
    const config: ServeConfig = {
      port: portOf(values.port),
      host: values.host ?? '127.0.0.1',
      token: values.token || process.env[TOKEN_ENV] || undefined,
      target: databaseTarget(values),
      spoolDir: spoolDirOf(values['spool-dir'], values['no-spool'] ?? false),
      langfuse: values['no-langfuse'] ? undefined : langfuse,
      migrate: migrateOptionOf(values['no-migrate']),
      workers: workersOf(values.workers),
    };
    const slot = workerSlot();
    if (slot !== undefined) return runBridge(config, prefixed(io, `worker ${slot}: `), new WorkerLink(slot));
    if (config.workers === 1) return runBridge(config, io);
    if (config.target.kind !== 'url') {
      throw new CliError('--workers needs a database server (--database-url or DATABASE_URL): an embedded PGlite database is one process\'s', ExitCode.USAGE);
    }
    return runServeGroup(config, args, io);
  },
};

function portOf(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_BRIDGE_PORT;
  const port = Number(flag);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--port must be a number from 0 to 65535, got '${flag}'`, ExitCode.USAGE);
  return port;
}

function workersOf(flag: string | undefined): number {
  if (flag === undefined) return 1;
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new CliError(`--workers must be a number from 1 to 256, got '${flag}'`, ExitCode.USAGE);
  return n;
}

/** A worker's lines start with its slot, so the group's output stays readable. */
function prefixed(io: Io, prefix: string): Io {
  return { out: (line) => io.out(prefix + line), err: (line) => io.err(prefix + line) };
}
