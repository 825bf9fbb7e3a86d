import { describe, expect, it } from 'vitest';
import { Redactor, SanitizeCounters, Sanitizer, DEFAULT_LIMITS } from '../src/index.js';

// JSON text is sanitized in place once parsed (`jsonFromString`), while any other value is copied
// (`json`). The two must agree on every input: the copying walk is the reference here.
const KEY = 'sk-proj-Q7vX2mN9pL4kR8tW1zY6cB3dF5gH0jKa';
const TEXTS = [
  JSON.stringify({ path: '/srv/data', nested: { password: 'hunter22', list: [1, 2, { token: 'abc' }] } }),
  JSON.stringify({ [`header ${KEY}`]: 'key text masked', after: 1, before: 'kept in order' }),
  '{"__proto__": {"polluted": true}, "ok": 1}',
  JSON.stringify({ nul: 'a\u0000b', lone: 'x\uD800y', note: `use ${KEY} here` }),
  JSON.stringify({ deep: [[[[[[['bottom']]]]]]], many: Array.from({ length: 30 }, (_, i) => i) }),
  JSON.stringify({ big: 1e999, text: 'x'.repeat(300), inner: JSON.stringify({ api_key: 'inner-secret-1' }) }),
  JSON.stringify([{ Authorization: 'Bearer abcdEFGH1234ijkl' }, 'plain', null, true, 2.5]),
];

function sanitizer(options: { redaction?: boolean; allowKeys?: string[] } = {}): { s: Sanitizer; counters: SanitizeCounters } {
  const counters = new SanitizeCounters();
  const redactor = new Redactor({ enabled: options.redaction !== false, allowKeys: options.allowKeys ?? [] });
  return { s: new Sanitizer(counters, redactor, { ...DEFAULT_LIMITS, maxDepth: 5, maxArrayLength: 20 }), counters };
}

describe('JSON text sanitized in place gives what the copying walk gives', () => {
  for (const options of [{}, { redaction: false }, { allowKeys: ['nested'] }]) {
    it(`for every tricky text (${JSON.stringify(options)})`, () => {
      for (const text of TEXTS) {
        const inPlace = sanitizer(options);
        const copied = sanitizer(options);
        const a = inPlace.s.jsonFromString(text, 'input');
        const b = copied.s.json(JSON.parse(text), 'input');
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        expect(a).toEqual(b);
        expect(inPlace.counters.toJSON()).toEqual(copied.counters.toJSON());
      }
    });
  }

  it('masks under secret names and cuts deep values and long arrays', () => {
    const { s, counters } = sanitizer();
    const out = s.jsonFromString(TEXTS[0]!, 'input') as { nested: { password: string; list: unknown[] } };
    expect(out.nested.password).toBe('[REDACTED]');
    expect(out.nested.list[2]).toEqual({ token: '[REDACTED]' });
    const cut = s.jsonFromString(TEXTS[4]!, 'input') as { deep: unknown; many: unknown[] };
    expect(JSON.stringify(cut.deep)).toContain('[too deep]');
    expect(cut.many).toHaveLength(21);
    expect(counters.get('redacted')).toBeGreaterThanOrEqual(2);
  });
});
