/** Anything that runs a parameterized query and returns rows: a server connection or PGlite. */
export interface QueryRunner {
  query(text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

const SCHEMA = 'mini_agent_observability';

/** The tables of the contract, and the column that holds the trace id in each. */
const TABLES = [
  ['traces', 'id'],
  ['spans', 'trace_id'],
  ['tool_executions', 'trace_id'],
  ['decisions', 'trace_id'],
  ['performance_metrics', 'trace_id'],
  ['generations', 'trace_id'],
] as const;

/** What one trace left in the database, read back with plain SQL. */
export interface LandedReport {
  readonly rowsPerTable: Readonly<Record<string, number>>;
  readonly tools: readonly { toolName: string; category: string; durationMs: number; success: boolean; errorMessage: string | null }[];
  readonly session: { name: string | null; status: string; sessionId: string | null; agentName: string | null } | null;
  readonly generations: readonly { model: string | null; inputTokens: number | null; outputTokens: number | null }[];
  readonly metrics: readonly { metricType: string; value: number | null; unit: string | null }[];
}

/** Reads back every row one trace produced. */
export async function readLandedReport(db: QueryRunner, traceId: string): Promise<LandedReport> {
  const rowsPerTable: Record<string, number> = {};
  for (const [table, column] of TABLES) {
    const [row] = await db.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.${table} WHERE ${column} = $1`, [traceId]);
    rowsPerTable[table] = Number(row?.n ?? 0);
  }
  const tools = await db.query(
    `SELECT tool_name, category, duration_ms, success, error_message FROM ${SCHEMA}.tool_executions WHERE trace_id = $1 ORDER BY started_at, id`,
    [traceId],
  );
  const [session] = await db.query(`SELECT name, status, session_id, agent_name FROM ${SCHEMA}.traces WHERE id = $1`, [traceId]);
  const generations = await db.query(`SELECT model, input_tokens, output_tokens FROM ${SCHEMA}.generations WHERE trace_id = $1`, [traceId]);
  const metrics = await db.query(
    `SELECT metric_type, metric_value, unit FROM ${SCHEMA}.performance_metrics WHERE trace_id = $1 ORDER BY recorded_at, id`,
    [traceId],
  );
  return {
    rowsPerTable,
    tools: tools.map((r) => ({
      toolName: String(r.tool_name),
      category: String(r.category),
      durationMs: Number(r.duration_ms),
      success: r.success === true,
      errorMessage: r.error_message == null ? null : String(r.error_message),
    })),
    session: session
      ? {
          name: nullableString(session.name),
          status: String(session.status),
          sessionId: nullableString(session.session_id),
          agentName: nullableString(session.agent_name),
        }
      : null,
    generations: generations.map((r) => ({
      model: nullableString(r.model),
      inputTokens: nullableNumber(r.input_tokens),
      outputTokens: nullableNumber(r.output_tokens),
    })),
    metrics: metrics.map((r) => ({ metricType: String(r.metric_type), value: nullableNumber(r.metric_value), unit: nullableString(r.unit) })),
  };
}

/** The report as the lines the demo prints. */
export function formatLandedReport(report: LandedReport): string[] {
  const lines: string[] = [];
  const s = report.session;
  if (s) lines.push(`Session: "${s.name ?? ''}" by ${s.agentName ?? 'unknown agent'}, status ${s.status}, session id ${s.sessionId ?? '-'}`);
  lines.push('', 'Rows per table:');
  for (const [table, n] of Object.entries(report.rowsPerTable)) lines.push(`  ${table.padEnd(20)} ${String(n).padStart(4)}`);
  lines.push('', 'Tool latencies:');
  const nameWidth = Math.max(...report.tools.map((t) => t.toolName.length), 4);
  for (const t of report.tools) {
    lines.push(`  ${t.category.padEnd(9)} ${t.toolName.padEnd(nameWidth)} ${t.durationMs.toFixed(1).padStart(8)} ms  ${t.success ? 'ok' : 'FAILED'}`);
  }
  const failures = report.tools.filter((t) => !t.success);
  lines.push('', failures.length === 1 ? 'The failure:' : `Failures: ${failures.length}`);
  for (const t of failures) lines.push(`  ${t.toolName} (${t.category}): ${t.errorMessage ?? 'no message'}`);
  for (const g of report.generations) lines.push('', `LLM call: ${g.model ?? '?'}, ${g.inputTokens ?? '?'} input / ${g.outputTokens ?? '?'} output tokens`);
  if (report.metrics.length > 0) lines.push('', 'Metrics (in the order recorded):');
  for (const m of report.metrics) lines.push(`  ${m.metricType.padEnd(9)} ${formatMetric(m.value, m.unit)}`);
  return lines;
}

function formatMetric(value: number | null, unit: string | null): string {
  if (value === null) return 'n/a';
  if (unit === 'By') return `${(value / 1024 / 1024).toFixed(1)} MiB`;
  const number = Number.isInteger(value) ? String(value) : value.toFixed(2);
  return unit ? `${number} ${unit}` : number;
}

function nullableString(value: unknown): string | null {
  return value == null ? null : String(value);
}

function nullableNumber(value: unknown): number | null {
  return value == null ? null : Number(value);
}
