/** A result row, column name → value as the driver parsed it. */
export type Row = Record<string, unknown>;
/** A statement parameter. Rows travel as one JSON text parameter, so nothing richer is needed. */
export type SqlParam = string | number | boolean | null;

/** Runs statements. The same SQL text runs on both implementations. */
export interface Queryable {
  /** One parameterized statement. */
  query(text: string, params?: readonly SqlParam[]): Promise<Row[]>;
  /**
   * A script of several statements (a migration file), without parameters. `onNotice` hears the
   * NOTICEs the script raises (a migration telling the user what to do next).
   */
  execScript(text: string, options?: { readonly onNotice?: (message: string) => void }): Promise<void>;
  /**
   * `COPY … FROM STDIN` with its body (in the format the statement names); inside a transaction, on
   * a server only. Resolves once the server has taken the rows; rejects when it refused them.
   */
  copyIn?(statement: string, body: Uint8Array): Promise<void>;
}

/**
 * The little this package needs from a database, with two implementations: the `postgres`
 * driver (a server, Supabase) and PGlite (embedded). Keeping it this small keeps the SQL shared.
 */
export interface Database extends Queryable {
  /** Whether the queryables its transactions hand out can COPY (a server: yes; PGlite: no). */
  readonly canCopy: boolean;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs several statements in one transaction, pipelined where the driver can (one round trip
   * on a server instead of one per statement).
   */
  transactionBatch(statements: readonly Statement[]): Promise<void>;
  /** Releases connections; only closes what this package opened. */
  close(): Promise<void>;
}

/** One statement with its parameters. */
export interface Statement {
  readonly text: string;
  readonly params: readonly SqlParam[];
}
