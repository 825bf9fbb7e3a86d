/**
 * Corpora for the redaction tests: secret-shaped strings as issuers print them (generated with a
 * seeded generator, so every run sees the same ones), and ordinary tool inputs that look a little
 * like secrets but are not (paths, code, prose, UUIDs, hashes, base64, URLs).
 */

/** A small deterministic generator (mulberry32): the same corpus on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64URL = `${BASE62}-_`;
const HEX = '0123456789abcdef';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function pick(random: () => number, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** One secret as it would appear in a value, and its family (for the report). */
export interface SecretSample {
  readonly family: string;
  readonly secret: string;
}

/** Secrets of every family the default patterns cover, `perFamily` of each. */
export function secretCorpus(perFamily = 12, seed = 7): SecretSample[] {
  const r = seeded(seed);
  const families: Record<string, () => string> = {
    openai_legacy: () => `sk-${pick(r, BASE62, 48)}`,
    openai_project: () => `sk-proj-${pick(r, BASE64URL, 120)}`,
    deepseek_style: () => `sk-${pick(r, HEX, 32)}`,
    anthropic: () => `sk-ant-api03-${pick(r, BASE64URL, 93)}AA`,
    langfuse_secret: () => `sk-lf-${crypto.randomUUID()}`,
    langfuse_public: () => `pk-lf-${crypto.randomUUID()}`,
    supabase_access_token: () => `sbp_${pick(r, HEX, 40)}`,
    supabase_secret_key: () => `sb_secret_${pick(r, BASE64URL, 31)}`,
    supabase_service_role_jwt: () =>
      `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify({ iss: 'supabase', ref: pick(r, 'abcdefghijklmnopqrst', 20), role: 'service_role', iat: 1700000000 }))}.${pick(r, BASE64URL, 43)}`,
    aws_access_key: () => `${['AKIA', 'ASIA'][Math.floor(r() * 2)]}${pick(r, UPPER_DIGITS, 16)}`,
    aws_secret_assignment: () => `AWS_SECRET_ACCESS_KEY=${pick(r, `${BASE62}/+`, 40)}`,
    github_classic: () => `ghp_${pick(r, BASE62, 36)}`,
    github_fine_grained: () => `github_pat_${pick(r, BASE62, 22)}_${pick(r, BASE62, 59)}`,
    slack_bot: () => `xoxb-${pick(r, '0123456789', 12)}-${pick(r, '0123456789', 13)}-${pick(r, BASE62, 24)}`,
    google_api_key: () => `AIza${pick(r, BASE64URL, 35)}`,
    stripe_secret: () => `sk_live_${pick(r, BASE62, 24)}`,
    bearer_header: () => `Authorization: Bearer ${pick(r, BASE64URL, 40)}`,
    basic_header: () => `Authorization: Basic ${Buffer.from(`svc-${pick(r, HEX, 4)}:${pick(r, BASE62, 12)}`).toString('base64')}`,
    password_assignment: () => `DB_PASSWORD=${pick(r, BASE62, 10)}${Math.floor(r() * 90 + 10)}`,
    quoted_api_key: () => `api_key: "${pick(r, BASE62, 16)}"`,
    client_secret_param: () => `client_secret=${pick(r, BASE64URL, 32)}`,
    private_key: () => `-----BEGIN PRIVATE KEY-----\n${pick(r, `${BASE62}+/`, 64)}\n${pick(r, `${BASE62}+/`, 64)}\n-----END PRIVATE KEY-----`,
  };
  const out: SecretSample[] = [];
  for (const [family, make] of Object.entries(families)) for (let i = 0; i < perFamily; i++) out.push({ family, secret: make() });
  return out;
}

/**
 * The part of a sample that must not survive: the credential itself, without the name or scheme
 * that legitimately stays (`Authorization: Bearer `, `DB_PASSWORD=`).
 */
export function secretPart(sample: SecretSample): string {
  const match = /^(?:Authorization: (?:Bearer|Basic) |[A-Za-z_]+(?:: "|=))(.+?)"?$/s.exec(sample.secret);
  return match ? match[1]! : sample.secret;
}

/** Ordinary tool inputs and outputs: nothing in them is a secret, and nothing may be masked. */
export function cleanCorpus(seed = 11): string[] {
  const r = seeded(seed);
  const out: string[] = [
    '/home/dev/projects/mini-agent/packages/core/src/index.ts',
    'C:\\Users\\dev\\AppData\\Local\\Temp\\build-output.log',
    './node_modules/.pnpm/@opentelemetry+api@1.9.1/node_modules/@opentelemetry/api/build/src/index.js',
    '~/.config/tokenizer/cl100k_base.tiktoken',
    '/var/lib/postgresql/15/main/base/16384/2619',
    'src/auth/password-reset.tsx',
    'tests/fixtures/secret-santa.json',
    'export async function login(username: string, password: string): Promise<Session> {',
    'const token = await getToken(request);',
    'const apiKey = process.env.OPENAI_API_KEY;',
    "headers: { Authorization: `Bearer ${token}` }",
    'def tokenize(text: str) -> list[str]:\n    return text.split()',
    'for (const key of Object.keys(config)) console.log(key, config[key]);',
    'SELECT id, token_count, max_tokens FROM generations WHERE model = $1',
    'if (password.length < 12) throw new Error("password too short");',
    'type Credentials = { user: string; password: string; token?: string };',
    'max_tokens: 4096',
    'input_tokens=1200, output_tokens=310',
    'tokenizer: cl100k_base',
    'The basic idea is to retry with exponential backoff and jitter.',
    'Token limits apply per minute; the bearer of this message should wait.',
    'Reset your password from the account page; we never send secrets by email.',
    'The secret to good caching is knowing when to invalidate.',
    'Bearer bonds were common in the nineteenth century.',
    'Use the basic authentication scheme only over TLS.',
    'The keyboard shortcut is Ctrl+K, then the command palette opens.',
    'passport photo requirements: 35x45 mm, plain background',
    'https://github.com/open-telemetry/opentelemetry-js/blob/main/packages/opentelemetry-sdk-trace-base/src/Span.ts',
    'https://api.openai.com/v1/chat/completions?model=gpt-4o&stream=true',
    'https://supabase.com/docs/guides/database/postgres/row-level-security',
    'https://example.com/search?q=how+to+rotate+an+api+key&page=2',
    'https://cloud.langfuse.com/project/clx123abc/traces?page=3',
    'git log --oneline -5 && git diff --stat HEAD~1',
    'npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree',
    'sk-learn-model-config-file-v2.yaml',
    'task-runner-config-final-version-2.json',
    'disk-usage-report-for-the-month-of-may.csv',
    'AKIAPOSTFIXNOTAKEY is not a key when it is too short',
    '{"alg":"none"} is a header, and eyJhbGciOiJub25lIn0 is its base64',
    'Content-Type: application/json; charset=utf-8',
    'Accept-Encoding: gzip, deflate, br',
    'The meeting is at 10:30; bring the secret-sauce recipe.',
  ];
  for (let i = 0; i < 40; i++) out.push(crypto.randomUUID());
  for (let i = 0; i < 40; i++) out.push(pick(r, HEX, 40)); // git commit hashes
  for (let i = 0; i < 20; i++) out.push(pick(r, HEX, 64)); // sha256 digests
  const phrases = ['hello world', 'the quick brown fox jumps over the lazy dog', 'README contents', 'package.json', '{"name":"demo","version":"1.0.0"}', 'line one\nline two\n'];
  for (let i = 0; i < 30; i++) out.push(Buffer.from(`${phrases[i % phrases.length]} #${i}`).toString('base64'));
  const words = ['read', 'file', 'write', 'search', 'index', 'token', 'basic', 'key', 'secret', 'pass', 'plan', 'step', 'agent', 'tool', 'cache'];
  for (let i = 0; i < 40; i++) {
    const sentence = Array.from({ length: 6 + Math.floor(r() * 10) }, () => words[Math.floor(r() * words.length)]).join(' ');
    out.push(`${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`);
  }
  return out;
}
