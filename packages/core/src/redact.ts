/** What a masked value or substring becomes. */
export const REDACTED = '[REDACTED]';

/** One secret shape: a name for counters and docs, and the pattern that finds it. */
export interface SecretPattern {
  readonly name: string;
  readonly pattern: RegExp;
  /** How many leading capture groups to keep (e.g. the `Bearer ` prefix); default none. */
  readonly keepPrefixGroup?: boolean;
}

/**
 * Secret shapes masked by default wherever they appear inside a string. Each is anchored on a
 * prefix the issuer documents, so ordinary text (paths, UUIDs, hashes, prose) is left alone.
 */
export const DEFAULT_SECRET_PATTERNS: readonly SecretPattern[] = [
  { name: 'private_key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g },
  { name: 'langfuse_key', pattern: /\b[sp]k-lf-[A-Za-z0-9-]{8,}/g },
  { name: 'anthropic_key', pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}/g },
  { name: 'openai_key', pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { name: 'stripe_key', pattern: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { name: 'supabase_token', pattern: /\bsb(?:p|_secret|_publishable)_[A-Za-z0-9_-]{20,}/g },
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g },
  { name: 'aws_access_key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { name: 'github_token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/g },
  { name: 'slack_token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { name: 'google_api_key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  { name: 'auth_header', pattern: /\b((?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{8,}/gi, keepPrefixGroup: true },
  {
    name: 'secret_assignment',
    pattern: /\b((?:api[_-]?key|apikey|password|passwd|pwd|secret|client[_-]?secret|access[_-]?token|auth[_-]?token|token)["']?\s*[:=]\s*["']?)[^\s"'&,;}]{4,}/gi,
    keepPrefixGroup: true,
  },
];

/**
 * Field and attribute names whose whole value is a secret, matched on the last segment of the
 * name (`http.request.header.authorization`, `db.password`, `openai_api_key`). `max_tokens` and
 * `input_tokens` end in `tokens` and so are left alone.
 */
const SECRET_KEY = /(?:^|[._-])(?:password|passwd|pwd|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token|api[_-]?key|apikey|authorization|cookie|set-cookie|private[_-]?key|x-api-key)$/i;

/**
 * Every default pattern needs one of these substrings, so a string without any of them is
 * clean and skips the patterns entirely (most attribute values): one scan instead of thirteen.
 */
const DEFAULT_CANDIDATE = /sk-|pk-lf|[rs]k_|sb(?:p|_secret|_publishable)_|eyJ|A[BKS]IA|ACCA|gh[pousr]_|github_pat_|xox|AIza|bearer|basic|token|key|pass|pwd|secret|-----BEGIN/i;

/** How redaction behaves; by default on, with {@link DEFAULT_SECRET_PATTERNS}. */
export interface RedactionOptions {
  /** `false` turns redaction off entirely (not recommended). */
  readonly enabled?: boolean;
  /** More patterns, e.g. from `MINI_AGENT_REDACT` (comma-separated regular expressions). */
  readonly extraPatterns?: readonly (RegExp | string)[];
  /** Field or attribute names never redacted (turns redaction off for those fields). */
  readonly allowKeys?: readonly string[];
}

/** Masks secrets in strings and in values whose key names a secret. Built once, used for every span. */
export class Redactor {
  private readonly patterns: readonly SecretPattern[];
  private readonly hasCustomPatterns: boolean;
  private readonly allowKeys: ReadonlySet<string>;
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

  /** True when values under `key` are not redacted (the user allowed that field). */
  isAllowed(key: string): boolean {
    return this.allowKeys.has(key);
  }

  /** True when the whole value under `key` is a secret. */
  isSecretKey(key: string): boolean {
    return this.enabled && !this.allowKeys.has(key) && SECRET_KEY.test(key);
  }

  /** Masks every secret-shaped substring; returns the same string when there is none. */
  redactString(value: string): { value: string; count: number } {
    if (!this.enabled) return { value, count: 0 };
    if (!this.hasCustomPatterns && !DEFAULT_CANDIDATE.test(value)) return { value, count: 0 };
    let count = 0;
    let out = value;
    for (const { pattern, keepPrefixGroup } of this.patterns) {
      pattern.lastIndex = 0;
      if (!pattern.test(out)) continue;
      pattern.lastIndex = 0;
      out = out.replace(pattern, (_match, prefix: unknown) => {
        count += 1;
        return keepPrefixGroup && typeof prefix === 'string' ? `${prefix}${REDACTED}` : REDACTED;
      });
    }
    return { value: out, count };
  }
}
