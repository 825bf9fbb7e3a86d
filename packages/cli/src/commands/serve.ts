import { parseArgs } from 'node:util';
import { createBridge, DEFAULT_BRIDGE_PORT, TOKEN_ENV, type Bridge, type BridgeStats } from '@mini-agent/bridge';
import { CustomPrices, DEFAULT_SPOOL_DIR, type RecordSink } from '@mini-agent/core';
import { createLangfuseSink, type LangfuseEnvConfig } from '@mini-agent/exporter-langfuse';
import { createPostgresSink } from '@mini-agent/exporter-postgres';
import { CliError, ExitCode, type Command, type Io } from '../command.js';
import { databaseErrorLine, databaseTarget, DATABASE_FLAGS, DATABASE_FLAGS_HELP, type DatabaseTarget } from '../database-target.js';
import { LANGFUSE_FLAGS, LANGFUSE_FLAGS_HELP, langfuseConfigWith } from '../langfuse-transport.js';
import { parsedOrUsageError } from '../parse.js';
import { nextShutdownSignal } from '../shutdown-signal.js';
import { SPOOL_FLAGS, spoolDirOf } from '../spool-dir.js';
import { MIGRATE_FLAGS, MIGRATE_FLAGS_HELP, migrateOptionOf, needsOperator } from '../migrate-flag.js';

const HELP = `Usage: mini-agent-otel serve [--port ${DEFAULT_BRIDGE_PORT}] [--host 127.0.0.1] [--token TOKEN] [--database-url URL | --data-dir DIR] [--no-migrate] [--spool-dir DIR | --no-spool] [--langfuse-transport otlp|ingestion]

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
          ...SPOOL_FLAGS,
          'no-langfuse': { type: 'boolean' },
          ...LANGFUSE_FLAGS,
        },
        strict: true,
        allowPositionals: false,
      }),
    );
    const port = portOf(values.port);
    const host = values.host ?? '127.0.0.1';
    const token = values.token || process.env[TOKEN_ENV] || undefined;
    const target = databaseTarget(values);
    const spoolDir = spoolDirOf(values['spool-dir'], values['no-spool'] ?? false);
    const langfuse = langfuseConfigWith(values['langfuse-transport']);
    // Listening for the stop before the sinks start: a SIGTERM while an embedded database is
    // being created waits for it instead of killing the process halfway.
    const stopped = nextShutdownSignal(io);
    // Generations are priced once, for every sink, with the database's model_prices (kept loaded by the Postgres sink).
    const prices = new CustomPrices();
    const { sinks, ready, described } = sinksFor(target, { ...migrateOptionOf(values['no-migrate']), prices }, values['no-langfuse'] ? undefined : langfuse, io);

    let bridge: Bridge;
    try {
      bridge = await createBridge({
        sinks,
        ready,
        port,
        host,
        token: token ?? false,
        interpretOptions: { prices },
        ...(spoolDir ? { delivery: { spoolDir } } : {}),
      });
    } catch (error) {
      await Promise.allSettled(sinks.map((s) => s.shutdown()));
      throw new CliError(`cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
    }
    io.out(`mini-agent bridge listening on ${bridge.tracesUrl}`);
    io.out(`  sinks: ${described.join(', ')}`);
    io.out(`  token: ${token ? 'required (Authorization: Bearer …)' : 'none'}`);
    io.out(`  spool: ${spoolDir ?? 'off (undelivered records wait in memory)'}`);
    if (!token && !isLoopback(host)) io.err(`warning: listening on ${host} without a token: anyone who can reach this port can write spans`);
    // A sink only an operator can fix stops the bridge (once, with its reason); anything else is retried.
    const fatal = new Promise<{ error: unknown }>((resolve) => {
      void Promise.all(ready).then(
        () => io.out('  sinks ready'),
        (error: unknown) => {
          if (needsOperator(error)) resolve({ error });
          else io.err(`warning: a sink is not ready yet (it is retried on each write): ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    });

    const stopLogging = logThroughput(bridge, io);
    const stop = await Promise.race([stopped, fatal]);
    const queued = bridge.stats().queue.queued;
    if (typeof stop === 'string') io.out(`${stop}: shutting down — refusing new requests, exporting ${queued} queued spans`);
    else io.out(`shutting down: the database cannot take rows (below) — refusing new requests, keeping ${queued} queued spans`);
    await bridge.close();
    stopLogging();
    const s = bridge.stats();
    io.out(`stopped: ${s.spans.received} spans received, ${s.queue.exported} exported, ${s.queue.failed} failed, ${s.spans.rejected} rejected`);
    reportSpooled(bridge, io);
    if (typeof stop !== 'string') throw new CliError(databaseErrorLine(stop.error));
    return ExitCode.OK;
  },
};

function portOf(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_BRIDGE_PORT;
  const port = Number(flag);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--port must be a number from 0 to 65535, got '${flag}'`, ExitCode.USAGE);
  return port;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Postgres (URL or PGlite) always; Langfuse when its keys are set (`langfuse` undefined: `--no-langfuse`). */
function sinksFor(
  target: DatabaseTarget,
  postgresOptions: { migrate?: false; prices: CustomPrices },
  langfuse: LangfuseEnvConfig | undefined,
  io: Io,
): { sinks: RecordSink[]; ready: Promise<void>[]; described: string[] } {
  const postgres = createPostgresSink({ ...(target.kind === 'url' ? { databaseUrl: target.url } : { dataDir: target.dataDir }), ...postgresOptions });
  const sinks: RecordSink[] = [postgres];
  const described = [`postgres (${target.label})`];
  if (langfuse) {
    if (langfuse.config) {
      try {
        sinks.push(createLangfuseSink(langfuse.config));
        described.push(`langfuse (${langfuse.config.baseUrl}, ${langfuse.config.transport ?? 'otlp'})`);
      } catch (error) {
        io.err(`warning: Langfuse is not attached: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else if (process.env.LANGFUSE_PUBLIC_KEY || process.env.LANGFUSE_SECRET_KEY) {
      io.err(`warning: Langfuse is not attached: ${langfuse.reason}`);
    }
  }
  return { sinks, ready: [postgres.ready], described };
}

/**
 * Prints one line a second while spans arrive or wait, and nothing while idle: what came in,
 * what was stored, what was refused, how deep the queue is.
 */
function logThroughput(bridge: Bridge, io: Io): () => void {
  let last: BridgeStats = bridge.stats();
  const timer = setInterval(() => {
    const now = bridge.stats();
    const received = now.spans.received - last.spans.received;
    const exported = now.queue.exported - last.queue.exported;
    const refused = refusals(now) - refusals(last);
    if (received > 0 || exported > 0 || refused > 0 || now.queue.queued > 0) {
      const failed = now.queue.failed - last.queue.failed;
      io.out(
        `bridge: ${received} spans/s in, ${exported} spans/s exported, queue ${now.queue.queued}` +
          `${failed ? `, ${failed} failed` : ''}${refused ? `, ${refused} requests refused` : ''}`,
      );
    }
    last = now;
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Says what waits in the spool for the next start, and anything a sink lost. */
function reportSpooled(bridge: Bridge, io: Io): void {
  const sinks = (bridge.exporter as { stats?: () => { sinks: Record<string, { spoolBytes: number; dropped: Record<string, number> }> } }).stats?.().sinks ?? {};
  for (const [name, s] of Object.entries(sinks)) {
    if (s.spoolBytes > 0) io.out(`  ${name}: ${s.spoolBytes} bytes spooled, delivered on the next start`);
    const lost = Object.values(s.dropped).reduce((a, b) => a + b, 0);
    if (lost > 0) io.err(`warning: ${name} dropped ${lost} records: ${JSON.stringify(s.dropped)}`);
  }
}

function refusals(stats: BridgeStats): number {
  return Object.entries(stats.responses).reduce((sum, [status, n]) => (status === '200' ? sum : sum + n), 0);
}
