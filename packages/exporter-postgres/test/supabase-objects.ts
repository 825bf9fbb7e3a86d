// Every table, view and function of the schema and its Supabase layer, with one statement per
// operation, and the rows two users' sessions leave in them: what the access suites run each role
// against.

/** Runs one statement with `$1`-style parameters and returns its rows. */
export type Query = <Row = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<Row[]>;

/** The operations of the matrix. */
export const OPERATIONS = ['read', 'insert', 'update', 'delete'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** One object and the statement of each operation that applies to it (reads return one row `{ n }`). */
export interface AccessObject {
  readonly name: string;
  readonly kind: 'table' | 'private table' | 'rollup table' | 'view' | 'analytics view' | 'function' | 'helper function' | 'owner function';
  readonly read: string;
  readonly insert?: string;
  readonly update?: string;
  readonly delete?: string;
}

const S = 'mini_agent_observability';
/** A signed-up user nobody made a reader: the one the insert into `readers` adds. */
export const SPARE_USER_ID = '00000000-0000-4000-8000-000000000001';
const W = "now() - interval '1 day'";

/** A fresh row for each telemetry table (`$trace` is replaced by a trace id). */
const NEW_ROWS: Record<string, string> = {
  traces: "(id) VALUES ('matrix-trace')",
  tool_executions: "(id, trace_id, name, tool_name, category, success, started_at, ended_at, duration_ms) VALUES ('matrix-tool', 'matrix-trace', 'x', 'x', 'core', true, now(), now(), 1)",
  performance_metrics: "(id, trace_id, span_id, metric_type, recorded_at) VALUES ('matrix-metric', 'matrix-trace', 's', 'cpu', now())",
  decisions: "(id, trace_id, span_id, decision_type, decided_at) VALUES ('matrix-decision', 'matrix-trace', 's', 'route', now())",
  spans: "(span_id, trace_id, name, kind, otel_kind, status, started_at, ended_at, duration_ms) VALUES ('matrix-span', 'matrix-trace', 'x', 'step', 'internal', 'ok', now(), now(), 1)",
  resources: "(id, attributes) VALUES ('00000000-0000-4000-8000-0000000000ff', '{\"service.name\": \"matrix\"}')",
  generations: "(id, trace_id, name, success, started_at, ended_at, duration_ms) VALUES ('matrix-gen', 'matrix-trace', 'x', true, now(), now(), 1)",
  alert_thresholds: "(rule_name, metric, threshold) VALUES ('matrix-rule', 'error_rate_pct', 1)",
  scores: "(trace_id, id, name, data_type, value) VALUES ('matrix-trace', 'matrix-score', 'x', 'numeric', 1)",
  model_prices: "(pattern, input_usd_per_mtok, output_usd_per_mtok) VALUES ('^matrix-model$', 1, 2)",
  // Its groups are a fixed list: a writer sets one (upsert) rather than adding a new one.
  retention: "(table_group, keep_days) VALUES ('performance_metrics', 7) ON CONFLICT (table_group) DO UPDATE SET keep_days = EXCLUDED.keep_days",
};
const KEYS: Record<string, string> = { spans: 'span_id', alert_thresholds: 'rule_name', model_prices: 'pattern', retention: 'table_group' };

function telemetryTable(table: string, target: string, kind: AccessObject['kind']): AccessObject {
  const key = KEYS[table] ?? 'id';
  return {
    name: target,
    kind,
    read: `SELECT count(*) AS n FROM ${target}`,
    insert: `INSERT INTO ${target} ${NEW_ROWS[table]}`,
    update: `UPDATE ${target} SET ${key} = ${key}`,
    delete: `DELETE FROM ${target}`,
  };
}

/** The telemetry and configuration tables, in the schema. */
export const TELEMETRY_TABLES = ['traces', 'tool_executions', 'performance_metrics', 'decisions', 'spans', 'resources', 'generations', 'alert_thresholds', 'scores', 'model_prices', 'retention'];
/** Each analytics view with one of its columns. */
const ANALYTICS: Record<string, string> = {
  tool_stats_24h: 'tool_name', category_stats_24h: 'category', session_stats_24h: 'trace_id', session_totals_24h: 'sessions',
  top_errors_24h: 'error_message', model_usage_24h: 'model', metric_stats_24h: 'metric_type', active_alerts: 'rule_name',
  generation_tool_calls: 'call_id',
  // Not over a function, but a join: read-only all the same.
  spans_full: 'span_id',
};

/** How many rows an analytics view or function shows; session_totals always has one row, so its `sessions` counts. */
const measure = (from: string) =>
  from.includes('session_totals') ? `SELECT sessions AS n FROM ${from}` : from.includes('tool_totals') ? `SELECT executions AS n FROM ${from}` : `SELECT count(*) AS n FROM ${from}`;

/** Views over a function are never writable: PostgreSQL refuses before checking privileges (`read-only`). */
const analyticsView = (target: string, column: string): AccessObject => ({
  name: target,
  kind: 'analytics view',
  read: measure(target),
  insert: `INSERT INTO ${target} DEFAULT VALUES`,
  update: `UPDATE ${target} SET ${column} = ${column}`,
  delete: `DELETE FROM ${target}`,
});

/** Every object a role could touch. */
export const ACCESS_OBJECTS: readonly AccessObject[] = [
  ...TELEMETRY_TABLES.map((t) => telemetryTable(t, `${S}.${t}`, 'table')),
  ...TELEMETRY_TABLES.map((t) => telemetryTable(t, `public.mini_agent_${t}`, 'view')),
  ...(['readers', 'public.mini_agent_readers'] as const).map((target) => ({
    name: target === 'readers' ? `${S}.readers` : target,
    kind: (target === 'readers' ? 'private table' : 'view') as AccessObject['kind'],
    read: `SELECT count(*) AS n FROM ${target === 'readers' ? `${S}.readers` : target}`,
    insert: `INSERT INTO ${target === 'readers' ? `${S}.readers` : target} (user_id) VALUES ('${SPARE_USER_ID}')`,
    update: `UPDATE ${target === 'readers' ? `${S}.readers` : target} SET note = 'x'`,
    delete: `DELETE FROM ${target === 'readers' ? `${S}.readers` : target}`,
  })),
  {
    name: `${S}.access_settings`,
    kind: 'private table',
    read: `SELECT count(*) AS n FROM ${S}.access_settings`,
    insert: `INSERT INTO ${S}.access_settings (singleton) VALUES (true) ON CONFLICT DO NOTHING`,
    update: `UPDATE ${S}.access_settings SET tenancy = tenancy`,
    delete: `DELETE FROM ${S}.access_settings`,
  },
  {
    name: `${S}.schema_migrations`,
    kind: 'private table',
    read: `SELECT count(*) AS n FROM ${S}.schema_migrations`,
    insert: `INSERT INTO ${S}.schema_migrations (name, checksum) VALUES ('matrix.sql', 'x')`,
    update: `UPDATE ${S}.schema_migrations SET checksum = checksum`,
    delete: `DELETE FROM ${S}.schema_migrations`,
  },
  {
    name: `${S}.partitioning`,
    kind: 'private table',
    read: `SELECT count(*) AS n FROM ${S}.partitioning`,
    insert: `INSERT INTO ${S}.partitioning (table_name, time_column) VALUES ('matrix', 'x')`,
    update: `UPDATE ${S}.partitioning SET ahead_days = ahead_days`,
    delete: `DELETE FROM ${S}.partitioning`,
  },
  ...Object.entries(ANALYTICS).map(([v, column]) => analyticsView(`${S}.${v}`, column)),
  ...Object.entries(ANALYTICS).map(([v, column]) => analyticsView(`public.mini_agent_${v}`, column)),
  ...[
    `tool_stats(${W})`, `category_stats(${W})`, `session_stats(${W})`, `session_totals(${W})`, `top_errors(${W})`,
    `model_usage(${W})`, `metric_stats(${W})`, `user_stats(${W})`, `alert_measure('error_rate_pct', ${W}, now())`, 'alert_status()', 'firing_alerts()',
    `score_stats(${W})`, `score_stats_by_version(${W})`, `score_daily(${W})`, `score_distribution(${W})`, `worst_sessions(NULL, ${W})`,
    `cost_by_session(${W})`, `cost_by_user(${W})`, `cost_by_agent_version(${W})`, `cost_by_model(${W})`, `cost_by_day(${W})`,
    `unpriced_models(${W})`, `ttft_by_model(${W})`,
  ].map((call) => ({ name: `${S}.${call.slice(0, call.indexOf('('))}()`, kind: 'function' as const, read: measure(`${S}.${call}`) })),
  { name: `${S}.reader_scope()`, kind: 'function', read: `SELECT ${S}.reader_scope() AS n` },
  { name: `${S}.prune_cutoffs()`, kind: 'function', read: measure(`${S}.prune_cutoffs(interval '30 days', '2026-01-01T00:00:00Z')`) },
  ...[`tool_totals(${W})`, `session_timeline(${W}, now(), interval '1 hour')`, `tool_latency_buckets(${W})`].map((call) => ({
    name: `${S}.${call.slice(0, call.indexOf('('))}()`, kind: 'function' as const, read: measure(`${S}.${call}`),
  })),
  // Pure helpers of the rollups: the same answer for every role that may use the schema.
  ...[
    ['latency_bin', `${S}.latency_bin(5)`],
    ['latency_bin_value', `${S}.latency_bin_value(40)`],
    ['latency_bucket', `${S}.latency_bucket(7)`],
    ['histogram_percentile', `round(${S}.histogram_percentile('{1,2}', '{1,1}', 0.5)::numeric, 6)`],
    ['rollups_visible', `${S}.rollups_visible()::int`],
    ['use_rollups', `${S}.use_rollups(${W}, now())::int`],
  ].map(([name, expression]) => ({ name: `${S}.${name}()`, kind: 'helper function' as const, read: `SELECT ${expression} AS n` })),
  { name: `${S}.rollup_bounds()`, kind: 'helper function', read: `SELECT count(*) AS n FROM ${S}.rollup_bounds(${W}, now())` },
  // Rollups: read by readers of every session; written by the triggers only.
  ...['tool_rollup', 'tool_error_rollup', 'model_rollup', 'session_rollup', 'latency_histogram'].map((table) => ({
    name: `${S}.${table}`, kind: 'rollup table' as const, read: `SELECT count(*) AS n FROM ${S}.${table}`, delete: `DELETE FROM ${S}.${table}`,
  })),
  // Deleting and rolling up are the owner's job: whether the role may call them at all (1 or 0).
  ...['rollup_tool_rows()', 'rollup_generation_rows()', 'rollup_trace_rows()', 'rollup_truncate()', 'rollup_staging()', 'apply_tool_rollup()', 'apply_generation_rollup()',
    'apply_trace_rollup()', 'rebuild_rollups()'].map((signature) => ({
    name: `${S}.${signature.slice(0, signature.indexOf('('))}()`,
    kind: 'owner function' as const,
    read: `SELECT has_function_privilege('${S}.${signature}', 'EXECUTE')::int AS n`,
  })),
  ...['trace_tables()', 'prune_preview(interval, timestamptz)', 'prune_batch(interval, integer, timestamptz)', 'prune(interval, integer)', 'prune_resources(interval, timestamptz, boolean)',
    // The partitioned layout (sql/090–093).
    'partition_start(text, timestamptz)', 'partition_width(text)', 'table_partitions(regclass)', 'make_partition(regclass, text, text, text, timestamptz)',
    'create_partitions(interval, timestamptz)', 'partition_mirror()', 'partition_begin(text, text, timestamptz)', 'partition_copy(text, timestamptz, timestamptz)',
    'partition_finish(text, text)', 'rollup_forget(text, regclass)', 'partition_holds_kept_rows(regclass, timestamptz)', 'prune_partition(interval, timestamptz)', 'partition_tables(text, timestamptz)'].map((signature) => ({
    name: `${S}.${signature.slice(0, signature.indexOf('('))}()`,
    kind: 'owner function' as const,
    read: `SELECT has_function_privilege('${S}.${signature}', 'EXECUTE')::int AS n`,
  })),
];

/** What an operation did: rows read or changed, its value for a scalar, or how it was refused. */
export type Outcome = number | string | null;

/** Runs one operation; a refusal is `denied` (no privilege), `rls` (a policy refused the new row) or `read-only` (a view no one can write). */
export async function attempt(query: Query, statement: string): Promise<Outcome> {
  try {
    const rows = await query<{ n?: unknown }>(/^(INSERT|UPDATE|DELETE)/.test(statement) ? `WITH changed AS (${statement} RETURNING 1) SELECT count(*) AS n FROM changed` : statement);
    const value = rows[0]?.n;
    return typeof value === 'bigint' ? Number(value) : (value as Outcome);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === '42501') return /row-level security/.test(message) ? 'rls' : 'denied';
    if (code === '55000' && /cannot (insert into|update|delete from) view/.test(message)) return 'read-only';
    return `error ${code}: ${message}`;
  }
}

/** The outcome of every operation on every object, `{ object: { read, insert, ... } }`. */
export async function accessMatrix(run: <T>(work: (query: Query) => Promise<T>) => Promise<T>): Promise<Record<string, Partial<Record<Operation, Outcome>>>> {
  const matrix: Record<string, Partial<Record<Operation, Outcome>>> = {};
  for (const object of ACCESS_OBJECTS) {
    const row: Partial<Record<Operation, Outcome>> = {};
    for (const operation of OPERATIONS) {
      const statement = object[operation];
      if (statement) row[operation] = await run((query) => attempt(query, statement));
    }
    matrix[object.name] = row;
  }
  return matrix;
}

/**
 * Two users' sessions, written as the exporter writes (as the tables' owner): one trace each,
 * and rows in every table for both; the other user's trace has more rows, so every count
 * tells them apart. Tools all succeed and are quick, so no alert fires.
 */
export async function seedTwoSessions(query: Query, users: { mine: string; theirs: string }): Promise<void> {
  // A custom price: configuration, the same for every reader.
  await query(`INSERT INTO ${S}.model_prices (pattern, provider, input_usd_per_mtok, output_usd_per_mtok) VALUES ('^gpt-test$', NULL, 1, 2)`);
  // Resources are shared: the first span of each session ran in one process, the other user's second in another.
  const SHARED = '00000000-0000-4000-8000-0000000000a1';
  const THEIRS_ONLY = '00000000-0000-4000-8000-0000000000b2';
  await query(`INSERT INTO ${S}.resources (id, attributes) VALUES ($1, '{"service.name": "shared", "host.name": "h1"}'), ($2, '{"service.name": "theirs", "host.name": "h2"}')`, [SHARED, THEIRS_ONLY]);
  const sessions = [
    { trace: 'a'.repeat(32), user: users.mine, rows: 1 },
    { trace: 'b'.repeat(32), user: users.theirs, rows: 2 },
  ];
  for (const { trace, user, rows } of sessions) {
    await query(`INSERT INTO ${S}.traces (id, user_id, session_id, status, complete, started_at, ended_at, input)
                 VALUES ($1, $2, $3, 'ok', true, now() - interval '1 minute', now(), '{"prompt": "secret prompt"}')`, [trace, user, `session-${user}`]);
    for (let i = 0; i < rows; i++) {
      const id = `${trace.slice(0, 8)}${String(i).padStart(8, '0')}`;
      await query(`INSERT INTO ${S}.tool_executions (id, trace_id, name, tool_name, category, input, success, started_at, ended_at, duration_ms)
                   VALUES ($1, $2, 'read_file', 'read_file', 'file', '{"path": "/home/me/.env"}', true, now() - interval '1 minute', now(), 5)`, [id, trace]);
      await query(`INSERT INTO ${S}.performance_metrics (id, trace_id, span_id, metric_type, metric_value, unit, recorded_at)
                   VALUES ($1, $2, $1, 'memory', 10, '%', now() - interval '1 minute')`, [`${id}:0`, trace]);
      await query(`INSERT INTO ${S}.decisions (id, trace_id, span_id, decision_type, chosen, decided_at)
                   VALUES ($1, $2, $1, 'route', 'grep', now() - interval '1 minute')`, [`${id}:d`, trace]);
      await query(`INSERT INTO ${S}.spans (span_id, trace_id, name, kind, otel_kind, status, started_at, ended_at, duration_ms, resource_id)
                   VALUES ($1, $2, 'read_file', 'tool', 'internal', 'ok', now() - interval '1 minute', now(), 5, $3)`, [id, trace, i === 0 ? SHARED : THEIRS_ONLY]);
      await query(`INSERT INTO ${S}.generations (id, trace_id, name, model, input, input_tokens, output_tokens, success, started_at, ended_at, duration_ms)
                   VALUES ($1, $2, 'chat', 'gpt-test', '{"messages": "secret"}', 10, 5, true, now() - interval '1 minute', now(), 50)`, [`${id}:g`, trace]);
      await query(`INSERT INTO ${S}.scores (trace_id, id, span_id, name, data_type, value, explanation, created_at)
                   VALUES ($2, $1, $1, 'helpfulness', 'numeric', 0.5, 'secret feedback', now() - interval '1 minute')`, [`${id}:s`, trace]);
    }
  }
}
