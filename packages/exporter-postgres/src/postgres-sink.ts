import { DeliveryError, type AgentRecord, type CustomPrices, type RecordSink, type SpanFilterOption } from '@mini-agent/core';
import { labelOf, openDatabase, resolveConnection, secretOf, type ConnectionOptions } from './connection.js';
import type { Database } from './database.js';
import { toDeliveryError } from './delivery-errors.js';
import { checkMigrated, migrateDatabase } from './migrate.js';
import { MigrationError } from './migration-errors.js';
import { migrateFromEnv } from './migrate-env.js';
import { DEFAULT_PRICES_REFRESH_MS, watchModelPrices } from './model-prices.js';
import { writeRecords } from './write-records.js';

/** Options of {@link createPostgresSink} and `PostgresExporter`. */
export interface PostgresSinkOptions extends ConnectionOptions {
  /**
   * Apply the migrations of `sql/` before the first write. Default: `MINI_AGENT_MIGRATE`
   * (`false`/`0`/`no`/`off` turn it off), else `true`. `false` suits a least-privilege writer
   * (such as `mini_agent_writer`): the sink then only checks that the migrations are applied,
   * which needs SELECT on `schema_migrations`.
   */
  readonly migrate?: boolean;
  /** With `migrate`, also apply the Supabase layer (roles, row-level security, views). Default `false`. */
  readonly supabase?: boolean;
  /** Which spans are stored. Default `all`: every span, whatever it is; see `SpanFilterOption` of `@mini-agent/core`. */
  readonly filter?: SpanFilterOption;
  /**
   * Keep this price set filled from the `model_prices` table (read once the database is ready,
   * then every `pricesRefreshMs`), for the interpreter that prices the generations to use:
   * pass the same set as `interpretOptions.prices`. `PostgresExporter` does this itself.
   */
  readonly prices?: CustomPrices;
  /** How often `model_prices` is read again. Default 60 s. */
  readonly pricesRefreshMs?: number;
}

/** A {@link RecordSink} writing rows into the `mini_agent_observability` tables. */
export interface PostgresSink extends RecordSink {
  readonly name: 'postgres';
  /** Where the rows go, printable (password masked). */
  readonly target: string;
  /**
   * Settles once the database is open (and migrated, unless `migrate: false`). Writes wait for it
   * themselves; await it to fail fast on a bad configuration. A failure here is retried by the next write.
   */
  readonly ready: Promise<void>;
}

/**
 * A sink that stores each batch of records in one transaction, idempotently: a span delivered twice
 * is one row. With no URL (option, `DATABASE_URL` or `SUPABASE_DB_URL`) it writes into an embedded
 * PGlite database at `.mini-agent/pglite`.
 *
 * @example
 * ```ts
 * const sink = createPostgresSink({ databaseUrl: process.env.DATABASE_URL });
 * const exporter = new InterpretingExporter({ sinks: [sink, otherSink] });
 * ```
 */
export function createPostgresSink(options: PostgresSinkOptions = {}): PostgresSink {
  const connection = resolveConnection(options);
  const where = { target: labelOf(connection), secret: secretOf(connection) };
  const migrating = options.migrate ?? migrateFromEnv();
  const pending = new Set<Promise<unknown>>();
  let db: Promise<Database> | undefined;
  let readiness: Promise<Database> | undefined;
  let closed = false;

  // Opened once (reopened only if opening failed); prepared (check + migrations) until that succeeds.
  const open = (): Promise<Database> =>
    (db ??= openDatabase(connection).catch((error: unknown) => {
      db = undefined;
      throw error;
    }));
  const prepare = (): Promise<Database> =>
    (readiness ??= (async () => {
      try {
        const database = await open();
        if (migrating) await migrateDatabase(database, where.target, { supabase: options.supabase ?? false });
        else await checkMigrated(database);
        return database;
      } catch (error) {
        readiness = undefined;
        throw notReady(error, { ...where, doing: migrating ? 'migrate' : 'check the schema of' });
      }
    })());
  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    void promise.then(() => pending.delete(promise), () => pending.delete(promise));
    return promise;
  };

  const ready = track(prepare()).then(() => undefined);
  ready.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  const stopPrices = options.prices ? watchModelPrices(prepare, options.prices, options.pricesRefreshMs ?? DEFAULT_PRICES_REFRESH_MS) : () => {};

  return {
    name: 'postgres',
    ...(options.filter !== undefined ? { filter: options.filter } : {}),
    target: where.target,
    ready,
    write(records: readonly AgentRecord[]): Promise<void> {
      if (closed) return Promise.reject(new DeliveryError(`postgres: sink for ${where.target} is shut down`, false));
      if (records.length === 0) return Promise.resolve();
      return track(
        (async () => {
          const database = await prepare();
          try {
            await writeRecords(database, records);
          } catch (error) {
            throw toDeliveryError(error, where);
          }
        })(),
      );
    },
    async forceFlush() {
      // Nothing is buffered here: a batch is stored before write() resolves.
      await Promise.allSettled([...pending]);
    },
    async shutdown() {
      if (closed) return;
      closed = true;
      stopPrices();
      await Promise.allSettled([...pending]);
      const database = await db?.catch(() => undefined);
      await database?.close();
    },
  };
}

/**
 * A database that is not ready for these rows because this user may not migrate it, or because it
 * is not migrated yet, never tried the batch: the same rows are stored once the owner migrates,
 * so that failure is retryable (the rows are spooled or held, and counted) although its SQLSTATE
 * alone would call it permanent. Anything else keeps its own classification.
 */
function notReady(error: unknown, where: { target: string; secret?: string | undefined; doing: string }): DeliveryError {
  const failure = toDeliveryError(error, where);
  if (!(error instanceof MigrationError) || error.reason === 'failed') return failure;
  return new DeliveryError(failure.message, true, { cause: error, reason: error.reason });
}
