import { ATTR_SPAN_KIND, ATTR_TOOL_INPUT, ATTR_TOOL_NAME, ATTR_TOOL_OUTPUT } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SECRET_PATTERNS, Interpreter, REDACTED, Redactor, type AgentRecord } from '../src/index.js';
import { cleanCorpus, secretCorpus, secretPart } from './secret-corpus.js';

const SECRETS = secretCorpus();
const CLEAN = cleanCorpus();

/** One tool span carrying `value` in every position a secret can hide: attribute, nested JSON input, headers, event. */
function spansCarrying(values: readonly string[]): Promise<ReadableSpan[]> {
  return recordSpans((tracer) => {
    values.forEach((value, i) => {
      const span = tracer.startSpan(`tool ${i}`, {
        attributes: {
          [ATTR_SPAN_KIND]: 'tool',
          [ATTR_TOOL_NAME]: 'http_request',
          note: `value: ${value} (end)`,
          'http.request.header.x-debug': [value],
          [ATTR_TOOL_INPUT]: JSON.stringify({ request: { url: 'https://example.com', headers: { 'X-Upstream': value }, body: { nested: [{ text: value }] } } }),
          [ATTR_TOOL_OUTPUT]: `result mentions ${value}`,
        },
      });
      span.addEvent('log', { 'log.message': `failed while using ${value}` });
      span.end();
    });
  });
}

function interpretAll(spans: readonly ReadableSpan[], interpreter = new Interpreter({ redaction: { extraPatterns: [] } })): { text: string; records: AgentRecord[]; interpreter: Interpreter } {
  const records = spans.flatMap((span) => interpreter.interpret(span));
  return { text: JSON.stringify(records), records, interpreter };
}

describe('default redaction against a corpus of secrets', () => {
  it(`masks all ${SECRETS.length} secret-shaped strings in attribute values, nested JSON input, headers, outputs and event attributes`, async () => {
    expect(SECRETS.length).toBeGreaterThanOrEqual(200);
    const { text, interpreter } = interpretAll(await spansCarrying(SECRETS.map((s) => s.secret)));
    const leaked = SECRETS.filter((s) => text.includes(secretPart(s)));
    expect(leaked.map((s) => `${s.family}: ${s.secret.slice(0, 24)}…`)).toEqual([]);
    // Six positions per span, each masked at least once.
    expect(interpreter.counters.get('redacted')).toBeGreaterThanOrEqual(SECRETS.length * 6);
    expect(text).toContain(REDACTED);
  });

  it('masks whole values under names that say secret, whatever the value looks like, camelCase and headers included', async () => {
    const spans = await recordSpans((tracer) => {
      tracer
        .startSpan('call', {
          attributes: {
            'db.password': 'plain words',
            OPENAI_API_KEY: 'not-shaped-like-a-key',
            'http.request.header.authorization': ['raw-value-1'],
            'http.request.header.cookie': ['session=abc'],
            [ATTR_TOOL_INPUT]: JSON.stringify({ password: 'hunter2', clientSecret: 'xyz', 'x-api-key': 'qq', headers: { Authorization: 'rawtoken' }, access_token: 12345 }),
          },
        })
        .end();
    });
    const { text } = interpretAll(spans);
    for (const value of ['plain words', 'not-shaped-like-a-key', 'raw-value-1', 'session=abc', 'hunter2', '"xyz"', '"qq"', 'rawtoken', '12345']) {
      expect(text).not.toContain(value);
    }
  });

  it(`leaves a clean corpus of ${CLEAN.length} ordinary tool inputs (paths, code, prose, UUIDs, hashes, base64, URLs) untouched`, async () => {
    expect(CLEAN.length).toBeGreaterThanOrEqual(200);
    const redactor = new Redactor();
    const masked = CLEAN.filter((value) => redactor.redactString(value).count > 0);
    expect(masked).toEqual([]);
    const { records, interpreter } = interpretAll(await spansCarrying(CLEAN));
    expect(interpreter.counters.get('redacted')).toBe(0);
    const tools = records.filter((r) => r.type === 'tool');
    expect(tools.map((t) => (t.input as { request: { headers: Record<string, string> } }).request.headers['X-Upstream'])).toEqual(CLEAN);
  });

  it('every default pattern lists candidate substrings that each of its matches in the corpus contains (the cheap prefilter stays truthful)', () => {
    const matched = new Map<string, number>();
    for (const { name, pattern, candidates } of DEFAULT_SECRET_PATTERNS) {
      expect(candidates?.length, `${name} has candidates`).toBeGreaterThan(0);
      for (const { secret } of SECRETS) {
        for (const match of secret.matchAll(new RegExp(pattern.source, pattern.flags))) {
          const text = match[0].toLowerCase();
          expect(candidates!.some((c) => text.includes(c)), `${name} matched "${match[0].slice(0, 30)}" without a candidate`).toBe(true);
          matched.set(name, (matched.get(name) ?? 0) + 1);
        }
      }
    }
    // The corpus exercises every default pattern, so the check above is not vacuous.
    expect(DEFAULT_SECRET_PATTERNS.map((p) => p.name).filter((name) => !matched.has(name))).toEqual([]);
  });

  it('MINI_AGENT_REDACT adds patterns; allowKeys exempts a field and everything under it', async () => {
    const custom = Redactor.fromEnv({ MINI_AGENT_REDACT: 'internal-[0-9]{6}, ACME-[A-Z]{4}' });
    expect(custom.redactString('ticket internal-123456 for ACME-WXYZ').value).toBe(`ticket ${REDACTED} for ${REDACTED}`);

    const key = SECRETS[0]!.secret;
    const spans = await recordSpans((tracer) => {
      const tool = (name: string, input: unknown, extra: Record<string, string> = {}) =>
        tracer.startSpan(name, { attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: name, [ATTR_TOOL_INPUT]: JSON.stringify(input), ...extra } }).end();
      tool('configure', { key }, { elsewhere: key });
      tool('debug', { debug_headers: { authorization: key }, plain: key });
    });
    const interpreter = new Interpreter({ redaction: { allowKeys: [ATTR_TOOL_INPUT, 'debug_headers'] } });
    const records = spans.flatMap((s) => interpreter.interpret(s));
    const [configure, debug] = records.filter((r) => r.type === 'tool');
    const span = records.find((r) => r.type === 'span');
    expect(configure?.input).toEqual({ key }); // read from an allowed attribute: kept
    expect(span?.attributes[ATTR_TOOL_INPUT]).toBe(JSON.stringify({ key }));
    expect(span?.attributes.elsewhere).toBe(REDACTED); // other fields still masked

    const subtreeOnly = new Interpreter({ redaction: { allowKeys: ['debug_headers'] } });
    const debugTool = spans.flatMap((s) => subtreeOnly.interpret(s)).filter((r) => r.type === 'tool')[1];
    expect(debugTool?.input).toEqual({ debug_headers: { authorization: key }, plain: REDACTED });
    // With the input attribute itself allowed, nothing of it is masked.
    expect(debug?.input).toEqual({ debug_headers: { authorization: key }, plain: key });
  });
});
