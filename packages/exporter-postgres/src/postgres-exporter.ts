import { CustomPrices, InterpretingExporter, type InterpretingExporterOptions } from '@mini-agent/core';
import { createPostgresSink, type PostgresSink, type PostgresSinkOptions } from './postgres-sink.js';

/**
 * Options of {@link PostgresExporter}: where the rows go, plus the exporter's own options
 * (`interpretOptions` for redaction and limits, `delivery` for retries, queue and spool, `flushTimeoutMs`).
 */
export interface PostgresExporterOptions extends PostgresSinkOptions, Omit<InterpretingExporterOptions, 'sinks'> {}

/**
 * A standard OpenTelemetry `SpanExporter` that stores agent spans as rows of the
 * `mini_agent_observability` tables, on a PostgreSQL server, Supabase, or an embedded PGlite
 * database when no URL is configured. Use it with any SDK setup. It never throws: a batch the
 * database refused, or one lost while it was unreachable, is reported through the export callback
 * and counted in `stats()`; while it is unreachable, batches wait and are retried (see `delivery`).
 *
 * @example
 * ```ts
 * const exporter = new PostgresExporter({ databaseUrl: process.env.DATABASE_URL });
 * const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
 * ```
 */
export class PostgresExporter extends InterpretingExporter {
  /** The sink this exporter writes through (its `ready` promise, its `target`). */
  readonly sink: PostgresSink;

  constructor(options: PostgresExporterOptions = {}) {
    // Generations are priced with the `model_prices` table, which the sink keeps loaded into this set.
    const given = options.interpretOptions?.prices;
    const prices = given instanceof CustomPrices ? given : new CustomPrices(given ?? []);
    const sink = createPostgresSink({ ...options, prices });
    const { delivery, flushTimeoutMs } = options;
    super({ sinks: [sink], interpretOptions: { ...options.interpretOptions, prices }, delivery, flushTimeoutMs });
    this.sink = sink;
  }

  /** Settles once the database is open and migrated; see {@link PostgresSink.ready}. */
  get ready(): Promise<void> {
    return this.sink.ready;
  }
}
