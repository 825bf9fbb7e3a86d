/** What a masked value or substring becomes. */
export const REDACTED = '[REDACTED]';

/** One secret shape: a name for counters and docs, and the pattern that finds it. */
export interface SecretPattern {
  readonly name: string;
  readonly pattern: RegExp;
  /** Keep the first capture group (e.g. the `Bearer ` prefix) and mask the rest of the match. */
  readonly keepPrefixGroup?: boolean;
  /**
   * Lower-case substrings, one of which every match contains. Strings holding none of the default
   * patterns' candidates skip the patterns entirely (most values), so a default pattern must list
   * them truthfully; the test suite checks every default pattern against a corpus of secrets.
   */
  readonly candidates?: readonly string[];
  /** A second look at a match (e.g. "does this look like a credential, not a word?"); masked only when true. */
  readonly accept?: (match: string, groups: readonly (string | undefined)[]) => boolean;
}

/**
 * True for a string that looks generated rather than written: letters mixed with digits or with
 * both cases, and not a run of readable lower-case words (`learn-model-config-v2`, `introduction`).
 */
export function looksLikeCredential(value: string): boolean {
  if (value.length < 8) return false;
  const digit = /\d/.test(value);
  const lower = /[a-z]/.test(value);
  const upper = /[A-Z]/.test(value);
  if (!(digit && (lower || upper)) && !(lower && upper && /[a-z][A-Z]|[A-Z]{2}/.test(value))) return false;
  const words = value.split(/[-_.]+/).filter(Boolean);
  return !words.every((w) => /^[a-z]+\d{0,2}$/.test(w) || /^[A-Z][a-z]+$/.test(w));
}

/** Values after `password:` / `token =` that are code or placeholders, not secrets. */
const NOT_A_VALUE = new Set([
  'string', 'number', 'boolean', 'bool', 'int', 'integer', 'float', 'str', 'bytes', 'any', 'unknown', 'object',
  'null', 'none', 'nil', 'undefined', 'true', 'false', 'required', 'optional', 'redacted', 'hidden', 'masked',
]);

function looksLikeAssignedSecret(_match: string, groups: readonly (string | undefined)[]): boolean {
  const [, quote, value = ''] = groups;
  if (quote) return value.length >= 4; // a quoted literal after a secret's name is a secret
  if (value.length < 6 || NOT_A_VALUE.has(value.toLowerCase())) return false;
  // Code that reads the secret from somewhere else (`process.env.X`, `config.apiKey`, `${TOKEN}`).
  return !/^(?:process\.env|os\.environ|env\.|\$|\{\{|%)/i.test(value) && !/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/.test(value);
}

const SECRET_NAMES =
  '(?:api[_-]?key|apikey|password|passwd|pwd|secret|secret[_-]?(?:access[_-]?)?key|private[_-]?key|client[_-]?secret|(?:access|auth|refresh|session|bearer|id)[_-]?token|token)';

/**
 * Secret shapes masked by default wherever they appear inside a string. Each is anchored on a
 * prefix the issuer documents (or on a secret's name), so ordinary text (paths, UUIDs, hashes,
 * prose, code) is left alone.
 */
export const DEFAULT_SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    name: 'private_key',
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    candidates: ['-----begin'],
  },
  { name: 'langfuse_key', pattern: /\b[sp]k-lf-[A-Za-z0-9-]{8,}/g, candidates: ['k-lf-'] },
  { name: 'anthropic_key', pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}/g, candidates: ['sk-ant-'] },
  {
    name: 'openai_key',
    pattern: /\bsk-(?:proj-|svcacct-|admin-|or-v1-)?([A-Za-z0-9_-]{20,})/g,
    candidates: ['sk-'],
    accept: (_m, groups) => looksLikeCredential(groups[0] ?? ''),
  },
  { name: 'stripe_key', pattern: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/g, candidates: ['k_live_', 'k_test_'] },
  { name: 'supabase_token', pattern: /\bsb(?:p|_secret|_publishable)_[A-Za-z0-9_-]{20,}/g, candidates: ['sbp_', 'sb_secret_', 'sb_publishable_'] },
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, candidates: ['eyj'] },
  { name: 'aws_access_key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, candidates: ['akia', 'asia', 'abia', 'acca'] },
  {
    name: 'github_token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/g,
    candidates: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
  },
  { name: 'slack_token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, candidates: ['xox'] },
  { name: 'google_api_key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g, candidates: ['aiza'] },
  {
    name: 'auth_header',
    pattern: /\b((?:Bearer|Basic|Token)\s+)([A-Za-z0-9._~+/-]{8,}=*)/gi,
    keepPrefixGroup: true,
    candidates: ['bearer', 'basic', 'token'],
    accept: (_m, groups) => looksLikeCredential(groups[1] ?? ''),
  },
  {
    name: 'secret_assignment',
    // A quote may come escaped (`\"`): the text is often JSON inside JSON.
    pattern: new RegExp(`\\b((?:[A-Za-z0-9]+[_-])*${SECRET_NAMES}\\\\?["']?\\s*[:=]\\s*(\\\\?["']?))([^\\s"'&,;{}()\\[\\]<>\\\\]{4,})(?![(\\w.])`, 'gi'),
    keepPrefixGroup: true,
    candidates: ['key', 'pass', 'pwd', 'secret', 'token'],
    accept: looksLikeAssignedSecret,
  },
];

/**
 * Field and attribute names whose whole value is a secret, matched on the last segment of the
 * name (`http.request.header.authorization`, `db.password`, `OPENAI_API_KEY`, `clientSecret`).
 * `max_tokens` and `input_tokens` end in `tokens` and so are left alone.
 */
const SECRET_KEY = new RegExp(
  `(?:^|[._-])(?:${SECRET_NAMES}|authorization|proxy-authorization|cookie|set-cookie|x-api-key|credentials?)$`,
  'i',
);

/** Every default pattern's candidates as one alternation (the source of {@link DEFAULT_CANDIDATE}). */
export const DEFAULT_CANDIDATES_SOURCE = [...new Set(DEFAULT_SECRET_PATTERNS.flatMap((p) => p.candidates ?? []))]
  .map((c) => c.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))
  .join('|');

/** Every default pattern's candidates in one scan: a string without any skips the patterns. */
const DEFAULT_CANDIDATE = new RegExp(DEFAULT_CANDIDATES_SOURCE, 'i');

/** How redaction behaves; by default on, with {@link DEFAULT_SECRET_PATTERNS}. */
export interface RedactionOptions {
  /** `false` turns redaction off entirely (not recommended). */
  readonly enabled?: boolean;
  /** More patterns, e.g. from `MINI_AGENT_REDACT` (comma-separated regular expressions). */
  readonly extraPatterns?: readonly (RegExp | string)[];
  /**
   * Field names never redacted: an attribute name (`mini_agent.tool.input`), or a key at any depth of
   * a JSON value (`input`, `headers`). Everything under an allowed name is left as it is, and so is a
   * tool, LLM or session input/output read from an allowed attribute.
   */
  readonly allowKeys?: readonly string[];
}

const KEY_CACHE_LIMIT = 10_000;

/** Masks secrets in strings and in values whose key names a secret. Built once, used for every span. */
export class Redactor {
  private readonly patterns: readonly SecretPattern[];
  /** The user added patterns of their own: no candidate list can rule them out, every string is scanned. */
  readonly hasCustomPatterns: boolean;
  private readonly allowKeys: ReadonlySet<string>;
  private readonly secretKeys = new Map<string, boolean>();
  readonly enabled: boolean;

  constructor(options: RedactionOptions = {}) {
    this.enabled = options.enabled !== false;
    this.allowKeys = new Set(options.allowKeys ?? []);
    const extra = (options.extraPatterns ?? []).map((p, i) => ({
      name: `custom_${i}`,
      pattern: typeof p === 'string' ? new RegExp(p, 'g') : new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`),
    }));
    this.patterns = [...DEFAULT_SECRET_PATTERNS, ...extra];
    this.hasCustomPatterns = extra.length > 0;
  }

  /** Builds a redactor from `MINI_AGENT_REDACT` (comma-separated regular expressions) and options. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, options: RedactionOptions = {}): Redactor {
    const fromEnv = (env.MINI_AGENT_REDACT ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return new Redactor({ ...options, extraPatterns: [...(options.extraPatterns ?? []), ...fromEnv] });
  }

  /** The names in `allowKeys`. */
  get allowedKeys(): ReadonlySet<string> {
    return this.allowKeys;
  }

  /** True when values under `key` are not redacted (the user allowed that field). */
  isAllowed(key: string): boolean {
    return this.allowKeys.has(key);
  }

  /** True when the whole value under `key` is a secret. */
  isSecretKey(key: string): boolean {
    if (!this.enabled || this.allowKeys.has(key)) return false;
    let secret = this.secretKeys.get(key);
    if (secret === undefined) {
      // camelCase names (`clientSecret`, `openaiApiKey`) are read as their snake_case twins.
      secret = SECRET_KEY.test(key) || SECRET_KEY.test(key.replace(/([a-z0-9])([A-Z])/g, '$1_$2'));
      if (this.secretKeys.size < KEY_CACHE_LIMIT) this.secretKeys.set(key, secret);
    }
    return secret;
  }

  /**
   * True when no pattern can match anywhere in `value`: redaction is off, or the string holds none
   * of the default patterns' candidates and no pattern of the user's is set. The verdict holds for
   * every substring of `value` too.
   */
  isClearText(value: string): boolean {
    return !this.enabled || (!this.hasCustomPatterns && !DEFAULT_CANDIDATE.test(value));
  }

  /** Masks every secret-shaped substring; returns the same string when there is none. */
  redactString(value: string): { value: string; count: number } {
    if (!this.enabled) return { value, count: 0 };
    if (!this.hasCustomPatterns && !DEFAULT_CANDIDATE.test(value)) return { value, count: 0 };
    let count = 0;
    let out = value;
    for (const { pattern, keepPrefixGroup, accept } of this.patterns) {
      pattern.lastIndex = 0;
      if (!pattern.test(out)) continue;
      pattern.lastIndex = 0;
      out = out.replace(pattern, (match: string, ...rest: unknown[]) => {
        const groups = rest.slice(0, -2) as (string | undefined)[];
        if (accept && !accept(match, groups)) return match;
        count += 1;
        const prefix = groups[0];
        return keepPrefixGroup && typeof prefix === 'string' ? `${prefix}${REDACTED}` : REDACTED;
      });
    }
    return { value: out, count };
  }
}
