import { connect, type Socket } from 'node:net';
import postgres from 'postgres';
import type { Database, Queryable, Row, Statement } from './database.js';

/** Options of {@link openPostgresDatabase}. */
export interface PostgresDatabaseOptions {
  readonly url: string;
  /** Prepared statements; off for transaction poolers. */
  readonly prepare: boolean;
  /** Seconds to wait for a connection before the write fails as retryable. */
  readonly connectTimeoutSeconds?: number;
  /** Seconds an idle connection stays open (so a process that never calls shutdown() can still exit). */
  readonly idleTimeoutSeconds?: number;
}

type Sql = postgres.Sql;
/** The driver calls this with its parsed options (hosts and ports as arrays) for each connection. */
type SocketFactory = (o: { host: string[]; port: number[]; path?: string | false }) => Socket;

/** A {@link Database} on a PostgreSQL server (or Supabase) through the `postgres` driver. */
export function openPostgresDatabase(options: PostgresDatabaseOptions): Database {
  // The driver takes one notice handler per pool; a script that wants its notices lends it one.
  let noticeListener: ((message: string) => void) | undefined;
  const driverOptions: postgres.Options<{}> & { socket: SocketFactory } = {
    prepare: options.prepare,
    max: 4,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    idle_timeout: options.idleTimeoutSeconds ?? 10,
    onnotice: (notice) => noticeListener?.(String(notice.message ?? '')),
    // `socket` is a documented driver option its type declarations leave out.
    socket: noDelaySocket(),
    connection: { application_name: 'mini-agent-otel' },
  };
  const sql: Sql = postgres(options.url, driverOptions);
  const queryable = (s: Sql | postgres.TransactionSql): Queryable => ({
    query: async (text, params = []) => [...(await s.unsafe<Row[]>(text, [...params]))],
    async execScript(text, scriptOptions) {
      noticeListener = scriptOptions?.onNotice;
      try {
        // No parameters: the simple query protocol, which accepts several statements.
        await s.unsafe(text);
      } finally {
        noticeListener = undefined;
      }
    },
  });
  return {
    ...queryable(sql),
    canCopy: true,
    async transaction(fn) {
      return (await sql.begin((tx) => fn({ ...queryable(tx), copyIn: (statement, body) => copyIn(tx, statement, body) }))) as Awaited<ReturnType<typeof fn>>;
    },
    async transactionBatch(statements) {
      await sql.begin((tx) =>
        // Issued together, the driver pipelines them: one round trip for the whole batch.
        Promise.all(statements.map((s: Statement) => tx.unsafe(s.text, [...s.params]))),
      );
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

/**
 * One `COPY … FROM STDIN` on a transaction's connection. The driver settles nothing for a COPY the
 * server refuses after all its data was sent (its stream never finishes), so the outcome is read
 * from a trivial statement queued behind it: it succeeds once the COPY did, and fails (the
 * transaction being aborted) when the COPY did not.
 */
async function copyIn(tx: postgres.TransactionSql, statement: string, body: Uint8Array): Promise<void> {
  const stream = await tx.unsafe(statement).writable();
  // The server's own reason, when it refuses the rows while they are still being sent.
  let refused: unknown;
  stream.on('error', (error) => (refused ??= error));
  await new Promise<void>((resolve) => stream.write(body, () => resolve()));
  if (refused !== undefined) throw refused;
  stream.end();
  // end() hands the driver the end of the data a tick later; until then it refuses other statements.
  await new Promise((resolve) => setImmediate(resolve));
  try {
    await tx.unsafe('SELECT 1');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // 25P02: the transaction was aborted, by the COPY. Anything else (a lost connection) speaks for itself.
    if (code !== '25P02') throw error;
    throw Object.assign(new Error(`the server refused ${statement.replace(/ \(.*$/, '')}`), { code: 'COPY_REFUSED' });
  }
}

/**
 * The driver leaves Nagle's algorithm on, which stalls each pipelined round trip by ~40 ms;
 * handing it our own socket with `noDelay` is the driver's supported way to change that.
 */
function noDelaySocket(): SocketFactory {
  let next = 0;
  return (o) => {
    // With a socket of ours the driver never connects by itself, so Unix-socket paths are ours too.
    if (o.path) return connect({ path: o.path });
    const i = next++ % o.host.length;
    const host = o.host[i] ?? 'localhost';
    const port = o.port[i] ?? 5432;
    const socket = connect({ host, port, noDelay: true });
    // The driver reads these for error messages and as the TLS server name (SNI).
    return Object.assign(socket, { host, port });
  };
}
