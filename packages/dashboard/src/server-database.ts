import { connect, type Socket } from 'node:net';
import postgres from 'postgres';
import { READ_ONLY, type Query, type ReadOnlyDatabase } from './read-only-database.js';

/** Options of {@link openServerDatabase}. */
export interface ServerDatabaseOptions {
  readonly url: string;
  /** Prepared statements; off behind transaction poolers (Supabase port 6543, `pgbouncer=true`). */
  readonly prepare: boolean;
  /** Connections one page reads through at once. Default 3. */
  readonly lanes?: number;
}

/**
 * How a page transaction reads, in one round trip:
 * - PostgreSQL compiles a plan it estimates as expensive (JIT). An analytics function's unused
 *   branch (the exact scan of a long window read from the rollups) carries such an estimate, and
 *   compiling it took ~1 s on 1M sessions, ten times the query itself: a page reads without JIT.
 * - With the default 4 MB of `work_mem` the planner sorts on disk what it could hash in memory:
 *   `top_errors` over 30 days of rollup rows (~70,000 at 1M sessions) took twice as long. Pages
 *   take turns (one page's few transactions at a time), so 32 MB a sort or hash is bounded.
 */
const PAGE_SETTINGS = "SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)";

/**
 * A {@link ReadOnlyDatabase} on a PostgreSQL server or Supabase, through the `postgres` driver.
 *
 * A page's queries are independent, and a server has several cores: each page reads through a few
 * connections at once, all in read-only transactions on the same snapshot (`pg_export_snapshot()`
 * / `SET TRANSACTION SNAPSHOT`), so the figures are as consistent as from one transaction and the
 * page takes about as long as its slowest query rather than their sum. Pages take turns for the
 * connections, so two pages never wait on each other's half-taken connections.
 */
export function openServerDatabase(options: ServerDatabaseOptions): ReadOnlyDatabase {
  const lanes = Math.max(1, options.lanes ?? 3);
  const driverOptions: postgres.Options<{}> & { socket: SocketFactory } = {
    prepare: options.prepare,
    max: lanes,
    connect_timeout: 10,
    idle_timeout: 60,
    onnotice: () => {},
    connection: { application_name: 'mini-agent-otel dashboard' },
    // Counts are bigint; the pages count far below 2^53, and numbers compare and format like numbers.
    types: { bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
    // `socket` is a documented driver option its type declarations leave out.
    socket: noDelaySocket(),
  };
  const sql = postgres(options.url, driverOptions);
  let turn: Promise<void> = Promise.resolve();

  async function readOnLanes<T>(work: (query: Query) => Promise<T>): Promise<T> {
    return (await sql.begin(READ_ONLY, async (main) => {
      await main.unsafe(PAGE_SETTINGS);
      const transactions: postgres.TransactionSql[] = [main];
      let finish = () => {};
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const helpers: Promise<unknown>[] = [];
      if (lanes > 1) {
        const [row] = await main.unsafe<{ snapshot: string }[]>('SELECT pg_export_snapshot() AS snapshot');
        const snapshot = row?.snapshot ?? '';
        if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new Error(`unexpected snapshot id '${snapshot}'`);
        const starting: Promise<postgres.TransactionSql | undefined>[] = [];
        for (let i = 1; i < lanes; i++) {
          let joined: (tx: postgres.TransactionSql) => void = () => {};
          const ready = new Promise<postgres.TransactionSql>((resolve) => (joined = resolve));
          const helper = sql.begin(READ_ONLY, async (tx) => {
            await tx.unsafe(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
            await tx.unsafe(PAGE_SETTINGS);
            joined(tx);
            await finished;
          });
          helpers.push(helper);
          // A helper that cannot start is simply not used: the page still reads through the others.
          starting.push(Promise.race([ready, helper.then(() => undefined, () => undefined)]));
        }
        for (const tx of await Promise.all(starting)) if (tx) transactions.push(tx);
      }
      let next = 0;
      const query: Query = async (text, params = []) => {
        const tx = transactions[next++ % transactions.length]!;
        return [...(await tx.unsafe(text, [...params] as never[]))] as never;
      };
      try {
        return await work(query);
      } finally {
        finish();
        await Promise.allSettled(helpers);
      }
    })) as T;
  }

  return {
    async read(work) {
      const previous = turn;
      let done = () => {};
      turn = new Promise<void>((resolve) => (done = resolve));
      await previous;
      try {
        return await readOnLanes(work);
      } finally {
        done();
      }
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

type SocketFactory = (o: { host: string[]; port: number[]; path?: string | false }) => Socket;

/**
 * The driver leaves Nagle's algorithm on, which stalls pipelined round trips by ~40 ms each — a
 * page pipelines several queries, so that would be most of its time budget. Handing the driver a
 * socket with `noDelay` is its supported way to change that.
 */
function noDelaySocket(): SocketFactory {
  let next = 0;
  return (o) => {
    if (o.path) return connect({ path: o.path });
    const i = next++ % o.host.length;
    const host = o.host[i] ?? 'localhost';
    const port = o.port[i] ?? 5432;
    // The driver reads host and port back for error messages and as the TLS server name.
    return Object.assign(connect({ host, port, noDelay: true }), { host, port });
  };
}
