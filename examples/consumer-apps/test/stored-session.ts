import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';

/** What an agent app should have stored of its session: the tool call, the decision and the metric of its trace. */
export interface StoredToolCall {
  session_id: string | null;
  tool_name: string;
  success: boolean;
  /** The decision recorded in the session, in the same trace. */
  chosen: string | null;
  /** The latency metric recorded in the session, in the same trace. */
  latency: number | null;
}

// Joined on the trace id: the tool's, decision's and metric's rows only meet their session's row
// when they were recorded inside the session's context, which needs the context manager the
// registration set.
const QUERY = `
  select t.session_id, x.tool_name, x.success,
    (select d.chosen from mini_agent_observability.decisions d where d.trace_id = t.id) as chosen,
    (select m.metric_value from mini_agent_observability.performance_metrics m where m.trace_id = t.id and m.metric_type = 'latency') as latency
  from mini_agent_observability.tool_executions x
  join mini_agent_observability.traces t on t.id = x.trace_id
  order by x.tool_name`;

/** The tool calls stored in a PGlite data directory, read after the app's process ended. */
export async function toolCallsInPglite(dataDir: string): Promise<StoredToolCall[]> {
  const db = await PGlite.create(dataDir);
  try {
    return (await db.query<StoredToolCall>(QUERY)).rows;
  } finally {
    await db.close();
  }
}

/** The tool calls stored in a PostgreSQL database. */
export async function toolCallsInPostgres(url: string): Promise<StoredToolCall[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return [...(await sql.unsafe<StoredToolCall[]>(QUERY))];
  } finally {
    await sql.end();
  }
}
