import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';

/** One tool execution joined to the trace of its session: what an agent app should have stored. */
export interface StoredToolCall {
  session_id: string | null;
  tool_name: string;
  success: boolean;
}

// Joined on the trace id: the tool's row only meets its session's row when the tool span was
// started inside the session's context, which needs the context manager the registration set.
const QUERY = `
  select t.session_id, x.tool_name, x.success
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
