import { describe, expect, it } from 'vitest';
import {
  arrayTruncationMarker,
  CIRCULAR,
  DEFAULT_LIMITS,
  jsonText,
  looksLikeCredential,
  REDACTED,
  Redactor,
  SanitizeCounters,
  Sanitizer,
  TOO_DEEP,
  truncationMarker,
  type SanitizeLimits,
} from '../src/index.js';

// The sanitizer on its own, value by value: each rule of what becomes storable, and that every
// change is counted under its reason (interpret.test.ts checks the same rules through spans).

function sanitizer(limits: Partial<SanitizeLimits> = {}, redactor = new Redactor()): { s: Sanitizer; counters: SanitizeCounters } {
  const counters = new SanitizeCounters();
  return { s: new Sanitizer(counters, redactor, { ...DEFAULT_LIMITS, ...limits }), counters };
}

describe('Sanitizer.string', () => {
  it('keeps an ordinary string as it is and counts nothing', () => {
    const { s, counters } = sanitizer();
    expect(s.string('plain text, nothing to fix')).toBe('plain text, nothing to fix');
    expect(counters.total).toBe(0);
  });

  it('masks the whole value under a secret name, but keeps an empty one and an allowed one', () => {
    const { s, counters } = sanitizer();
    expect(s.string('hunter2', 'password')).toBe(REDACTED);
    expect(counters.get('redacted')).toBe(1);
    expect(s.string('', 'password')).toBe('');
    expect(s.string('hunter2', 'password', true)).toBe('hunter2');
    expect(s.string('hunter2', 'username')).toBe('hunter2');
    expect(counters.get('redacted')).toBe(1);
  });

  it('cuts at maxStringLength, appends a marker with the original length, and counts it', () => {
    const { s, counters } = sanitizer({ maxStringLength: 10 });
    expect(s.string('0123456789')).toBe('0123456789');
    expect(counters.get('truncated')).toBe(0);
    expect(s.string('0123456789abc')).toBe(`0123456789${truncationMarker(13)}`);
    expect(truncationMarker(13)).toBe('…[truncated by mini-agent: 13 chars]');
    expect(counters.get('truncated')).toBe(1);
  });

  it('never cuts a surrogate pair in half', () => {
    const { s } = sanitizer({ maxStringLength: 4 });
    // '😀' is two code units; the cut at 4 would fall between them.
    const out = s.string('abc😀def');
    expect(out).toBe(`abc${truncationMarker(8)}`);
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    // A pair that ends right at the limit is kept whole.
    expect(s.string('ab😀cd')).toBe(`ab😀${truncationMarker(6)}`);
  });

  it('replaces NUL bytes and lone surrogates with U+FFFD, each counted under its reason', () => {
    const { s, counters } = sanitizer();
    expect(s.string('a\u0000b\u0000c')).toBe('a\uFFFDb\uFFFDc');
    expect(counters.get('nul_byte')).toBe(1);
    expect(counters.get('lone_surrogate')).toBe(0);
    expect(s.string('x\uD800y\uDC00z')).toBe('x\uFFFDy\uFFFDz');
    expect(counters.get('lone_surrogate')).toBe(1);
    expect(counters.get('nul_byte')).toBe(1);
    // A whole pair is text, not damage.
    expect(s.string('pair 😀 kept')).toBe('pair 😀 kept');
    expect(counters.total).toBe(2);
  });

  it('masks secret-shaped substrings and counts each one, unless the key is allowed', () => {
    const key = 'sk-proj-Q7vX2mN9pL4kR8tW1zY6cB3dF5gH0jKa';
    const { s, counters } = sanitizer({}, new Redactor({ allowKeys: ['debug'] }));
    expect(s.string(`use ${key} and ${key}`)).toBe(`use ${REDACTED} and ${REDACTED}`);
    expect(counters.get('redacted')).toBe(2);
    expect(s.string(`use ${key}`, 'debug')).toBe(`use ${key}`);
    expect(s.string(`use ${key}`, 'note', true)).toBe(`use ${key}`);
    expect(counters.get('redacted')).toBe(2);
  });

  it('a value that is not a string at run time becomes its string form', () => {
    const { s } = sanitizer();
    expect(s.string(42 as unknown as string)).toBe('42');
  });

  it('a long clear string seen before is still checked for NULs and secrets in its parsed form', () => {
    // The sanitizer remembers long strings it found clear; a JSON text among them is parsed
    // without scanning again, and must come out equal to a fresh parse.
    const { s, counters } = sanitizer();
    const text = JSON.stringify({ path: `/srv/${'a'.repeat(300)}`, n: 1 });
    expect(s.string(text)).toBe(text);
    expect(s.jsonFromString(text)).toEqual(JSON.parse(text));
    expect(jsonText(s.jsonFromString(text))).toBe(text);
    expect(counters.total).toBe(0);
  });
});

describe('Sanitizer.name', () => {
  it('cuts a name at maxNameLength with a marker of its length, and counts it', () => {
    const { s, counters } = sanitizer({ maxNameLength: 5 });
    expect(s.name('tools')).toBe('tools');
    expect(counters.get('truncated')).toBe(0);
    expect(s.name('toolbox')).toBe(`toolb${truncationMarker(7)}`);
    expect(counters.get('truncated')).toBe(1);
  });

  it('never cuts a surrogate pair in half, and cuts at the limit when the pair lies elsewhere', () => {
    const { s } = sanitizer({ maxNameLength: 3 });
    expect(s.name('ab😀cd')).toBe(`ab${truncationMarker(6)}`);
    expect(s.name('a😀bcdef')).toBe(`a😀${truncationMarker(8)}`);
  });
});

describe('Sanitizer.count and number', () => {
  it('keeps whole numbers from 0 to 2^53 - 1', () => {
    const { s, counters } = sanitizer();
    expect(s.count(0)).toBe(0);
    expect(s.count(1234)).toBe(1234);
    expect(s.count(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(counters.total).toBe(0);
  });

  it('refuses negative, too large and non-finite counts, each counted', () => {
    const { s, counters } = sanitizer();
    expect(s.count(-1)).toBeNull();
    expect(s.count(Number.MAX_SAFE_INTEGER + 2)).toBeNull();
    expect(counters.get('invalid_number')).toBe(2);
    expect(s.count(Number.NaN)).toBeNull();
    expect(s.count(Number.POSITIVE_INFINITY)).toBeNull();
    expect(counters.get('non_finite_number')).toBe(2);
    expect(counters.get('invalid_number')).toBe(2);
  });

  it('rounds a fraction and counts it', () => {
    const { s, counters } = sanitizer();
    expect(s.count(2.6)).toBe(3);
    expect(s.count(2.4)).toBe(2);
    expect(counters.get('invalid_number')).toBe(2);
  });

  it('number keeps any finite value and refuses NaN and infinities', () => {
    const { s, counters } = sanitizer();
    expect(s.number(-0.5)).toBe(-0.5);
    expect(s.number(Number.NEGATIVE_INFINITY)).toBeNull();
    expect(counters.get('non_finite_number')).toBe(1);
    expect(counters.total).toBe(1);
  });
});

describe('Sanitizer.json', () => {
  it('makes JSON of values JSON has no word for, counting what it could not keep', () => {
    const { s, counters } = sanitizer();
    expect(s.json(12n)).toBe(12);
    expect(s.json(2n ** 70n)).toBe((2n ** 70n).toString());
    expect(s.json(undefined)).toBeNull();
    expect(s.json(null)).toBeNull();
    expect(s.json(true)).toBe(true);
    expect(counters.total).toBe(0);
    expect(s.json(() => 1)).toBe('[function]');
    expect(s.json(Symbol('x'))).toBe('[symbol]');
    expect(counters.get('unserializable')).toBe(2);
    expect(s.json(Number.NaN)).toBeNull();
    expect(counters.get('non_finite_number')).toBe(1);
  });

  it('dates become ISO text; an invalid date becomes null and is counted', () => {
    const { s, counters } = sanitizer();
    expect(s.json(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('2026-01-02T03:04:05.000Z');
    expect(s.json(new Date(Number.NaN))).toBeNull();
    expect(counters.get('invalid_time')).toBe(1);
  });

  it('cuts an array at maxArrayLength with one marker item, and counts it', () => {
    const { s, counters } = sanitizer({ maxArrayLength: 3 });
    expect(s.json([1, 2, 3])).toEqual([1, 2, 3]);
    expect(counters.get('truncated')).toBe(0);
    expect(s.json([1, 2, 3, 4, 5])).toEqual([1, 2, 3, arrayTruncationMarker(2)]);
    expect(arrayTruncationMarker(2)).toBe('…[2 more items truncated by mini-agent]');
    expect(counters.get('truncated')).toBe(1);
    expect(s.json(new Uint8Array([7, 8]))).toEqual([7, 8]);
  });

  it('stops at maxDepth with a marker, and counts it', () => {
    const { s, counters } = sanitizer({ maxDepth: 2 });
    expect(s.json({ a: { b: 1 } })).toEqual({ a: { b: 1 } });
    expect(counters.get('too_deep')).toBe(0);
    expect(s.json({ a: { b: { c: 1 } } })).toEqual({ a: { b: TOO_DEEP } });
    expect(s.json([[[1]]])).toEqual([[TOO_DEEP]]);
    expect(counters.get('too_deep')).toBe(2);
  });

  it('marks a value that contains itself, but keeps one object met twice side by side', () => {
    const { s, counters } = sanitizer();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    expect(s.json(loop)).toEqual({ name: 'loop', self: CIRCULAR });
    expect(counters.get('circular')).toBe(1);
    const shared = { id: 1 };
    expect(s.json({ first: shared, second: shared, list: [shared, shared] })).toEqual({ first: { id: 1 }, second: { id: 1 }, list: [{ id: 1 }, { id: 1 }] });
    expect(counters.get('circular')).toBe(1);
  });

  it('a toJSON result is one level deeper, so a toJSON that never ends stops at maxDepth', () => {
    const { s, counters } = sanitizer({ maxDepth: 3 });
    class Chain {
      toJSON(): Chain {
        return new Chain();
      }
    }
    expect(s.json({ a: new Chain() })).toEqual({ a: TOO_DEEP });
    expect(counters.get('too_deep')).toBe(1);
    expect(s.json({ a: { toJSON: () => ({ b: { c: 1 } }) } })).toEqual({ a: { b: TOO_DEEP } });
  });

  it('maps become objects, errors their name and message, toJSON is honoured', () => {
    const { s } = sanitizer();
    expect(s.json(new Map<string, unknown>([['a', 1], ['b', [true]]]))).toEqual({ a: 1, b: [true] });
    expect(s.json(new TypeError('bad input'))).toEqual({ name: 'TypeError', message: 'bad input' });
    expect(s.json({ toJSON: () => ({ kind: 'custom' }) })).toEqual({ kind: 'custom' });
    expect(s.json({ keep: 1, gone: undefined, fn: () => 2 })).toEqual({ keep: 1 });
  });

  it('a value whose reading throws becomes a marker, counted, and the rest is kept', () => {
    const { s, counters } = sanitizer();
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(s.json({ ok: 1, hostile })).toEqual({ ok: 1, hostile: '[unserializable]' });
    expect(counters.get('unserializable')).toBe(1);
  });

  it('masks the value of a secret-named key whatever its type, keys at any depth', () => {
    const { s, counters } = sanitizer();
    expect(s.json({ password: { nested: 'x' }, token: 12345, list: [{ api_key: 'abc' }], plain: 'ok' })).toEqual({
      password: REDACTED,
      token: REDACTED,
      list: [{ api_key: REDACTED }],
      plain: 'ok',
    });
    expect(counters.get('redacted')).toBe(3);
  });

  it('an allowed key exempts everything under it', () => {
    const { s, counters } = sanitizer({}, new Redactor({ allowKeys: ['debug'] }));
    expect(s.json({ debug: { password: 'p', headers: { authorization: 'Bearer abc' } }, password: 'q' })).toEqual({
      debug: { password: 'p', headers: { authorization: 'Bearer abc' } },
      password: REDACTED,
    });
    expect(counters.get('redacted')).toBe(1);
  });
});

describe('Sanitizer.jsonFromString', () => {
  it('parses JSON objects, arrays and strings, leading blanks allowed; keeps other text as text', () => {
    const { s } = sanitizer();
    expect(s.jsonFromString('  {"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(s.jsonFromString('[true,null]')).toEqual([true, null]);
    expect(s.jsonFromString('"quoted"')).toBe('quoted');
    // A bare number or word is text the agent wrote, not JSON to parse.
    expect(s.jsonFromString('42')).toBe('42');
    expect(s.jsonFromString('true')).toBe('true');
    expect(s.jsonFromString('{not json')).toBe('{not json');
  });

  it('keeps too long JSON text as truncated text instead of parsing it', () => {
    const { s, counters } = sanitizer({ maxStringLength: 12 });
    const text = '{"a":"0123456789"}';
    expect(s.jsonFromString(text)).toBe(`${text.slice(0, 12)}${truncationMarker(text.length)}`);
    expect(counters.get('truncated')).toBe(1);
    // Exactly at the limit: still parsed.
    expect(s.jsonFromString('{"a":"0123"}')).toEqual({ a: '0123' });
  });

  it('masks the whole text under a secret name, parsed or not', () => {
    const { s } = sanitizer();
    expect(s.jsonFromString('{"user":"u"}', 'credentials')).toBe(REDACTED);
    expect(s.jsonFromString('{"user":"u"}', 'credentials', true)).toEqual({ user: 'u' });
    // Even a JSON empty string: the text itself is not empty.
    expect(s.jsonFromString('""', 'password')).toBe(REDACTED);
  });

  it('in JSON text with nothing secret-shaped, masks a secret name\'s value but keeps an empty one', () => {
    const { s, counters } = sanitizer();
    expect(s.jsonFromString('{"password":"abc","token":"","path":"/srv"}')).toEqual({ password: REDACTED, token: '', path: '/srv' });
    expect(counters.get('redacted')).toBe(1);
    expect(counters.toJSON()).toEqual({ redacted: 1 });
  });

  it('fixes a raw lone surrogate in JSON text, even in a long text seen before as a string', () => {
    const { s, counters } = sanitizer();
    expect(s.jsonFromString('{"a":"x\uD800y"}')).toEqual({ a: 'x\uFFFDy' });
    expect(counters.get('lone_surrogate')).toBe(1);
    // Long enough to be remembered as clear, had it been clear: it was not, it was fixed.
    const text = `{"a":"x\uD800y","pad":"${'p'.repeat(300)}"}`;
    expect(s.string(text)).toBe(text.replace('\uD800', '\uFFFD'));
    expect(s.jsonFromString(text)).toEqual({ a: 'x\uFFFDy', pad: 'p'.repeat(300) });
    expect(counters.get('lone_surrogate')).toBe(3);
  });

  it('masks secrets inside the parsed value, and the JSON text it keeps no longer holds them', () => {
    const key = 'sk-proj-Q7vX2mN9pL4kR8tW1zY6cB3dF5gH0jKa';
    const { s, counters } = sanitizer();
    const out = s.jsonFromString(`{"note":"key ${key}","password":"hunter2","n":1}`);
    expect(out).toEqual({ note: `key ${REDACTED}`, password: REDACTED, n: 1 });
    expect(jsonText(out)).not.toContain('hunter2');
    expect(counters.get('redacted')).toBe(2);
  });

  it('fixes a NUL written as an escape inside parsed JSON, and counts it', () => {
    const { s, counters } = sanitizer();
    const out = s.jsonFromString('{"a":"x\\u0000y","b":"ok"}');
    expect(out).toEqual({ a: 'x\uFFFDy', b: 'ok' });
    expect(counters.get('nul_byte')).toBe(1);
    expect(jsonText(out)).toBe(JSON.stringify({ a: 'x\uFFFDy', b: 'ok' }));
  });
});

describe('Sanitizer.attributes', () => {
  it('keeps every defined attribute, masking secret names and secret-named keys inside JSON text', () => {
    const { s, counters } = sanitizer();
    const out = s.attributes({
      'db.password': 'plain',
      'http.route': '/v1/items',
      gone: undefined,
      list: ['a', 'b'],
      'tool.input': '{"user":"ann","api_key":"abcdef"}',
      'tool.note': '{"user": "ann"}',
      quoted: '"say \\"token\\": now \\u0041"',
    });
    expect(out).toEqual({
      'db.password': REDACTED,
      'http.route': '/v1/items',
      list: ['a', 'b'],
      'tool.input': JSON.stringify({ user: 'ann', api_key: REDACTED }),
      // No secret name in the JSON, or no object to look under: kept as the text it was.
      'tool.note': '{"user": "ann"}',
      quoted: '"say \\"token\\": now \\u0041"',
    });
    expect(counters.get('redacted')).toBe(2);
  });

  it('masks and counts a name that needs it on every span, while names found clear are kept as they are', () => {
    const { s, counters } = sanitizer({ maxStringLength: 50 });
    const secretName = 'note.sk-ant-api03-abcdefghijklmnopqrstuvwxyz';
    const longName = `x.${'n'.repeat(60)}`;
    for (let span = 1; span <= 3; span++) {
      const out = s.attributes({ 'gen_ai.usage.input_tokens': 7, [secretName]: 'v', [longName]: 'w', 'a\u0000b': 'z' });
      expect(Object.keys(out)).toEqual(['gen_ai.usage.input_tokens', `note.${REDACTED}`, `${longName.slice(0, 50)}${truncationMarker(longName.length)}`, 'a\uFFFDb']);
      expect(out['gen_ai.usage.input_tokens']).toBe(7);
      // Each span's names are counted again: a remembered verdict never hides a change.
      expect(counters.toJSON()).toEqual({ redacted: span, truncated: span, nul_byte: span });
    }
  });

  it('with redaction off, or under an allowed name, JSON text is kept as it came', () => {
    const off = sanitizer({}, new Redactor({ enabled: false }));
    expect(off.s.attributes({ 'tool.input': '{"password": "p"}', password: 'q' })).toEqual({ 'tool.input': '{"password": "p"}', password: 'q' });
    expect(off.counters.total).toBe(0);
    const allowed = sanitizer({}, new Redactor({ allowKeys: ['tool.input'] }));
    expect(allowed.s.attributes({ 'tool.input': '{"password": "p"}' })).toEqual({ 'tool.input': '{"password": "p"}' });
    expect(allowed.counters.total).toBe(0);
  });

  it('JSON text with a secret name is looked into only when it is not too long, and up to the limit itself', () => {
    const long = sanitizer({ maxStringLength: 20 });
    const text = '{"password":"p","pad":"0123456789"}';
    expect(long.s.attributes({ note: text })).toEqual({ note: `${text.slice(0, 20)}${truncationMarker(text.length)}` });
    const exact = '{"password":"abc"}';
    const atLimit = sanitizer({ maxStringLength: exact.length });
    expect(atLimit.s.attributes({ note: exact })).toEqual({ note: JSON.stringify({ password: REDACTED }) });
  });

  it('text that only looks like it might hold a secret is kept, and no reason is counted for it', () => {
    const { s, counters } = sanitizer();
    expect(s.string('the token bucket refills every second')).toBe('the token bucket refills every second');
    expect(counters.toJSON()).toEqual({});
  });
});

describe('Redactor', () => {
  it('reads names that say secret on their last segment, camelCase as snake_case, and caches nothing wrong', () => {
    const r = new Redactor();
    for (const key of ['password', 'db.password', 'OPENAI_API_KEY', 'clientSecret', 'openaiApiKey', 'http.request.header.authorization', 'set-cookie', 'x-api-key', 'credentials', 'refresh_token']) {
      expect(r.isSecretKey(key), key).toBe(true);
      expect(r.isSecretKey(key), `${key}, asked again`).toBe(true);
    }
    for (const key of ['max_tokens', 'input_tokens', 'keyboard', 'password_hint', 'tokenizer', 'author']) {
      expect(r.isSecretKey(key), key).toBe(false);
      expect(r.isSecretKey(key), `${key}, asked again`).toBe(false);
    }
  });

  it('an allowed name and a redactor turned off see no secret names', () => {
    expect(new Redactor({ allowKeys: ['password'] }).isSecretKey('password')).toBe(false);
    expect(new Redactor({ allowKeys: ['password'] }).isAllowed('password')).toBe(true);
    expect(new Redactor({ allowKeys: ['password'] }).allowedKeys).toEqual(new Set(['password']));
    expect(new Redactor({ enabled: false }).isSecretKey('password')).toBe(false);
    expect(new Redactor({ enabled: false }).enabled).toBe(false);
    expect(new Redactor().enabled).toBe(true);
  });

  it('keeps the prefix of an authorization header and masks the credential after it', () => {
    const r = new Redactor();
    expect(r.redactString('Authorization: Bearer Zm9vYmFyMTIzNDU2Nzg5MA==')).toEqual({ value: `Authorization: Bearer ${REDACTED}`, count: 1 });
    // A word after "Bearer" is prose, not a credential.
    expect(r.redactString('handed to the bearer instead')).toEqual({ value: 'handed to the bearer instead', count: 0 });
  });

  it('masks a value assigned to a secret name, but not code or placeholders', () => {
    const r = new Redactor();
    expect(r.redactString('password = "hunter2x"').value).toBe(`password = "${REDACTED}"`);
    expect(r.redactString("api_key: 'abcd'").value).toBe(`api_key: '${REDACTED}'`);
    expect(r.redactString('token=s3cr3tValue9').value).toBe(`token=${REDACTED}`);
    // Six characters are enough; a "$" or "%" inside the value, or a dotted name that does not
    // start like code, are not a reference to the secret somewhere else.
    expect(r.redactString('token=abc123').value).toBe(`token=${REDACTED}`);
    expect(r.redactString('password=abc$defgh').value).toBe(`password=${REDACTED}`);
    expect(r.redactString('password=abc%defgh').value).toBe(`password=${REDACTED}`);
    expect(r.redactString('token=9abc.defgh').value).toBe(`token=${REDACTED}`);
    expect(r.redactString('token=abc.def-1xyz').value).toBe(`token=${REDACTED}`);
    for (const text of ['password: string', 'token = process.env.TOKEN', 'api_key = config.apiKey', 'password=${PASSWORD}', 'token = config.auth.value', 'token=abc12', 'password: "abc"', 'secret = required']) {
      expect(r.redactString(text), text).toEqual({ value: text, count: 0 });
    }
  });

  it('custom patterns from options and MINI_AGENT_REDACT mask every match, keeping their flags', () => {
    const r = Redactor.fromEnv({ MINI_AGENT_REDACT: ' internal-[0-9]{3} ,, ' }, { extraPatterns: [/ACME-[A-Z]{2}/, /project-[a-z]+/i] });
    expect(r.redactString('internal-123, ACME-XY and ACME-ZZ')).toEqual({ value: `${REDACTED}, ${REDACTED} and ${REDACTED}`, count: 3 });
    expect(r.redactString('internal-123 then internal-456')).toEqual({ value: `${REDACTED} then ${REDACTED}`, count: 2 });
    expect(r.redactString('PROJECT-Apollo')).toEqual({ value: REDACTED, count: 1 });
    expect(new Redactor().isClearText('nothing here')).toBe(true);
    expect(r.isClearText('nothing here')).toBe(false);
    expect(Redactor.fromEnv({}).isClearText('nothing here')).toBe(true);
    expect(Redactor.fromEnv({}).redactString('internal-123')).toEqual({ value: 'internal-123', count: 0 });
  });

  it('turned off, it masks nothing and every text is clear', () => {
    const key = 'sk-proj-Q7vX2mN9pL4kR8tW1zY6cB3dF5gH0jKa';
    const r = new Redactor({ enabled: false, extraPatterns: ['x'] });
    expect(r.redactString(`use ${key}`)).toEqual({ value: `use ${key}`, count: 0 });
    expect(r.isClearText(`use ${key}`)).toBe(true);
    expect(new Redactor().isClearText(`use ${key}`)).toBe(false);
  });
});

describe('looksLikeCredential', () => {
  it('is true for generated strings and false for words, short strings and readable names', () => {
    for (const value of ['abcd1234', 'Q7vX2mN9pL4k', 'abc123def456', 'ABCDEF123456', 'aBcDeFgHiJ', 'xYzAbCdEfGh']) expect(looksLikeCredential(value), value).toBe(true);
    for (const value of ['abc1234', 'introduction', 'learn-model-config-v2', 'Hello-World', 'ALLCAPSWORD', 'lowercaseonly', 'Release-Notes-v12', '12345678', 'abcdefg-X', '_abcdef12_ghijk', 'abcdef12--ghijk']) expect(looksLikeCredential(value), value).toBe(false);
  });
});
