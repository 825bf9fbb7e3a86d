import { CustomPrices } from '@mini-agent/core';
import { ATTR_AGENT_NAME, ATTR_AGENT_VERSION, ATTR_SPAN_KIND, ATTR_USER_ID, GenAiAttributes as G } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { ExportResultCode } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PostgresExporter } from '../src/index.js';
import { BACKENDS, exportAsync, type TestDb } from './backends.js';

const S = 'mini_agent_observability';
/** Numeric and bigint columns arrive as strings from the server driver; these text columns stay text. */
const TEXT_COLUMNS = new Set(['agent_version', 'day', 'model', 'user_id']);
const DAY1 = Date.UTC(2026, 2, 1, 12);
const DAY2 = Date.UTC(2026, 2, 2, 12);

/** One session of `user` on agent version `version` at `start`, with LLM calls of `model` (in, out tokens; seconds to the first chunk). */
function session(user: string, version: string, start: number, calls: { model: string; provider: string; input: number; output: number; firstChunkS?: number }[]) {
  return recordSpans((tracer) => {
    tracer.startActiveSpan('session', { startTime: new Date(start), attributes: { [ATTR_SPAN_KIND]: 'session', [ATTR_USER_ID]: user, [ATTR_AGENT_NAME]: 'helper', [ATTR_AGENT_VERSION]: version } }, (root) => {
      calls.forEach((c, i) => {
        const at = start + 1_000 * (i + 1);
        tracer.startSpan(`chat ${c.model}`, {
          startTime: new Date(at),
          attributes: {
            [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: c.model, [G.PROVIDER_NAME]: c.provider, [G.USAGE_INPUT_TOKENS]: c.input, [G.USAGE_OUTPUT_TOKENS]: c.output,
            ...(c.firstChunkS === undefined ? {} : { [G.RESPONSE_TIME_TO_FIRST_CHUNK]: c.firstChunkS }),
          },
        }).end(new Date(at + 900));
      });
      root.end(new Date(start + 60_000));
    });
  });
}

const until = (condition: () => boolean) => new Promise<void>((resolve, reject) => {
  const started = Date.now();
  const timer = setInterval(() => {
    if (condition()) resolve(void clearInterval(timer));
    else if (Date.now() - started > 10_000) reject(new Error('timed out'), void clearInterval(timer));
  }, 20);
});

describe.each(BACKENDS)('cost on $name', (backend) => {
  let db: TestDb;
  let exporter: PostgresExporter;
  const prices = new CustomPrices();
  const num = async (text: string, params: (string | number)[] = []) => (await db.query(text, params)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && !TEXT_COLUMNS.has(k) && /^-?\d+(\.\d+)?(e-?\d+)?$/.test(v) ? Number(v) : v])));

  beforeAll(async () => {
    if (!backend.available) return;
    db = await backend.create();
    await migrate(db.target);
    // A house model: $100/M tokens until 2026-01-01, then $2 in / $4 out.
    await db.query(`INSERT INTO ${S}.model_prices (pattern, provider, input_usd_per_mtok, output_usd_per_mtok, valid_from, valid_to)
                    VALUES ('^house-', NULL, 100, 100, NULL, '2026-01-01'), ('^house-', NULL, 2, 4, '2026-01-01', NULL)`);
    exporter = new PostgresExporter({ ...db.options, migrate: false, interpretOptions: { prices }, pricesRefreshMs: 100 });
    await exporter.ready;
    await until(() => prices.size === 2);
    const spans = [
      ...(await session('u1', '1.0', DAY1, [
        { model: 'gpt-4o-mini', provider: 'openai', input: 1000, output: 500, firstChunkS: 0.2 },
        { model: 'gpt-4o-mini', provider: 'openai', input: 1000, output: 500, firstChunkS: 0.4 },
      ])),
      ...(await session('u2', '2.0', DAY2, [{ model: 'house-7b', provider: 'vllm', input: 10_000, output: 1_000 }, { model: 'mystery', provider: 'vllm', input: 1, output: 1 }])),
    ];
    expect((await exportAsync(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
  });
  afterAll(async () => {
    await exporter?.shutdown();
    await db?.close();
  });

  it.skipIf(!backend.available)('prices with the model_prices table the exporter loaded, in force at the call’s time', async () => {
    const [house] = await num(`SELECT cost_usd, cost_details->>'source' AS source FROM ${S}.generations WHERE model = 'house-7b'`);
    expect(house).toEqual({ cost_usd: (10_000 * 2 + 1_000 * 4) / 1e6, source: 'model_prices' });
  });

  it.skipIf(!backend.available)('sums the spend per session, user, agent version, model and day; unpriced calls counted, not summed', async () => {
    const mini = (await num(`SELECT cost_usd FROM ${S}.generations WHERE model = 'gpt-4o-mini'`)).reduce((n, r) => n + Number(r.cost_usd), 0);
    const house = 0.024;
    const window = ['2026-02-01', '2026-04-01'];
    const closeTo = (rows: Record<string, unknown>[], expected: Record<string, unknown>[]) => {
      expect(rows.map(({ cost_usd, ...rest }) => rest)).toEqual(expected.map(({ cost_usd, ...rest }) => rest));
      rows.forEach((r, i) => expect(Number(r.cost_usd)).toBeCloseTo(Number(expected[i]!.cost_usd), 12));
    };
    closeTo(await num(`SELECT user_id, generations, unpriced, cost_usd FROM ${S}.cost_by_session($1, $2) ORDER BY user_id`, window), [
      { user_id: 'u1', generations: 2, unpriced: 0, cost_usd: mini },
      { user_id: 'u2', generations: 2, unpriced: 1, cost_usd: house },
    ]);
    closeTo(await num(`SELECT user_id, sessions, unpriced, cost_usd FROM ${S}.cost_by_user($1, $2) ORDER BY user_id`, window), [
      { user_id: 'u1', sessions: 1, unpriced: 0, cost_usd: mini },
      { user_id: 'u2', sessions: 1, unpriced: 1, cost_usd: house },
    ]);
    closeTo(await num(`SELECT agent_name, agent_version, sessions, cost_usd FROM ${S}.cost_by_agent_version($1, $2) ORDER BY agent_version`, window), [
      { agent_name: 'helper', agent_version: '1.0', sessions: 1, cost_usd: mini },
      { agent_name: 'helper', agent_version: '2.0', sessions: 1, cost_usd: house },
    ]);
    closeTo(await num(`SELECT day::text AS day, generations, unpriced, cost_usd FROM ${S}.cost_by_day($1, $2) ORDER BY day`, window), [
      { day: '2026-03-01', generations: 2, unpriced: 0, cost_usd: mini },
      { day: '2026-03-02', generations: 2, unpriced: 1, cost_usd: house },
    ]);
    closeTo(await num(`SELECT model, generations, unpriced, uncached_input_tokens, output_tokens, cost_usd FROM ${S}.cost_by_model($1, $2) ORDER BY model`, window), [
      { model: 'gpt-4o-mini', generations: 2, unpriced: 0, uncached_input_tokens: 2000, output_tokens: 1000, cost_usd: mini },
      { model: 'house-7b', generations: 1, unpriced: 0, uncached_input_tokens: 10_000, output_tokens: 1000, cost_usd: house },
      { model: 'mystery', generations: 1, unpriced: 1, uncached_input_tokens: 1, output_tokens: 1, cost_usd: 0 },
    ]);
    expect(await num(`SELECT model, provider, reason, generations FROM ${S}.unpriced_models($1, $2)`, window)).toEqual([{ model: 'mystery', provider: 'vllm', reason: 'unknown_model', generations: 1 }]);
    const [ttft] = await num(`SELECT model, streamed, p50_ms, p95_ms FROM ${S}.ttft_by_model($1, $2)`, window);
    expect(ttft).toMatchObject({ model: 'gpt-4o-mini', streamed: 2 });
    expect(Number(ttft!.p50_ms)).toBeCloseTo(300, 6);
    expect(Number(ttft!.p95_ms)).toBeCloseTo(390, 6);
  });

  it.skipIf(!backend.available)('a price edited in the table applies to calls after the next reload, never to stored ones', async () => {
    await db.query(`UPDATE ${S}.model_prices SET input_usd_per_mtok = 3 WHERE valid_from = '2026-01-01'`);
    await until(() => prices.list().some((p) => p.inputPerMTok === 3));
    const spans = await session('u3', '2.0', DAY2 + 3_600_000, [{ model: 'house-7b', provider: 'vllm', input: 10_000, output: 1_000 }]);
    expect((await exportAsync(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
    const costs = (await num(`SELECT cost_usd FROM ${S}.generations WHERE model = 'house-7b' ORDER BY started_at`)).map((r) => r.cost_usd);
    expect(costs).toEqual([0.024, (10_000 * 3 + 1_000 * 4) / 1e6]);
  });
});
