import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

/** A TCP proxy in front of a PostgreSQL server that reads the client's side of the wire protocol. */
export interface StatementNamesProxy {
  /** `databaseUrl` with its host and port replaced by the proxy's. */
  readonly url: string;
  /** The statement name of every Parse message the clients sent ('' is the unnamed statement). */
  readonly parsedNames: string[];
  /** Statements sent so far: simple queries ('Q') and Parse messages ('P'). */
  statements(): number;
  close(): Promise<void>;
}

/** Startup-phase request codes after which the client sends another untyped startup packet. */
const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;

/**
 * Starts a proxy that forwards bytes both ways unchanged and records the name of each Parse
 * ('P') message. A transaction pooler breaks on named statements (the next transaction runs on
 * another server connection, where the name is unknown), while the server itself accepts them,
 * so only the wire shows whether a client really turned prepared statements off.
 */
export async function startStatementNamesProxy(databaseUrl: string): Promise<StatementNamesProxy> {
  const target = new URL(databaseUrl);
  const parsedNames: string[] = [];
  let statements = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port || 5432) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    let startup = true;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (startup) {
          if (pending.length < 8) return;
          const length = pending.readInt32BE(0);
          if (pending.length < length) return;
          const code = pending.readInt32BE(4);
          startup = code === SSL_REQUEST || code === GSSENC_REQUEST;
          pending = pending.subarray(length);
          continue;
        }
        if (pending.length < 5) return;
        const length = pending.readInt32BE(1);
        if (pending.length < 1 + length) return;
        if (pending[0] === 0x51 /* 'Q' */) statements += 1;
        if (pending[0] === 0x50 /* 'P' */) {
          statements += 1;
          const end = pending.indexOf(0, 5);
          parsedNames.push(pending.subarray(5, end).toString('utf8'));
        }
        pending = pending.subarray(1 + length);
      }
    });
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(databaseUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((server.address() as AddressInfo).port);
  return {
    url: proxied.toString(),
    parsedNames,
    statements: () => statements,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
