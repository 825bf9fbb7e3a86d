// A TCP proxy that can be cut: how the outage benchmark takes a sink's backend away and gives it
// back, whatever server it is (a remote DATABASE_URL cannot be stopped, a proxy in front of it can).
import { connect, createServer } from 'node:net';

/** Forwards 127.0.0.1:<port> to `target`; `down()` resets every connection and refuses new ones until `up()`. */
export async function startTcpProxy(target) {
  const pairs = new Set();
  let isUp = true;
  const server = createServer((client) => {
    if (!isUp) return client.destroy();
    const upstream = connect({ host: target.host, port: target.port, noDelay: true });
    client.setNoDelay(true);
    const pair = { client, upstream };
    pairs.add(pair);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    down() {
      isUp = false;
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    up() {
      isUp = true;
    },
    close() {
      this.down();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
