// Child process: the OTLP bridge whose CPU the bridge benchmark measures. Its mode says how far
// spans go: `decode` (received and decoded, then discarded: the ceiling), `interpret` (records made,
// then discarded) or `postgres` (rows stored through the Postgres sink).
import { createBridge } from '@mini-agent/bridge';
import { createPostgresSink } from '@mini-agent/exporter-postgres';
import { answerParent } from '../lib/children.js';

const mode = process.argv[2];
const discardSink = { name: 'discard', write: async () => {}, shutdown: async () => {} };
const discardExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
let target;
if (mode === 'decode') target = { exporter: discardExporter };
else if (mode === 'interpret') target = { sinks: [discardSink] };
else if (mode === 'postgres') {
  const sink = createPostgresSink({ databaseUrl: process.env.BENCH_BRIDGE_DATABASE_URL });
  await sink.ready;
  target = { sinks: [sink] };
} else throw new Error(`unknown mode ${mode}`);

const bridge = await createBridge({ ...target, port: 0, token: false });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
answerParent(async (message) => {
  if (message === 'cpu') return { cpuMs: cpu(), maxRssKb: process.resourceUsage().maxRSS };
  if (message === 'flush') {
    await bridge.flush();
    return { cpuMs: cpu(), stats: bridge.stats() };
  }
  return undefined;
});
process.on('SIGTERM', async () => {
  await bridge.close();
  process.exit(0);
});
process.send({ url: bridge.tracesUrl });
