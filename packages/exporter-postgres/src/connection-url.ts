/**
 * What a database URL may print as: the password (in the userinfo or a `password=` query
 * parameter) replaced by `***`. Used in every message and label, so a secret never reaches a log.
 *
 * @example
 * ```ts
 * maskDatabaseUrl('postgres://app:s3cret@db:5432/prod'); // 'postgres://app:***@db:5432/prod'
 * ```
 */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    // URL re-encodes '***'; keep it readable.
    return parsed.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    // Not a WHATWG URL (e.g. several hosts): mask the userinfo by pattern instead.
    return url.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1:***@').replace(/(password=)[^&]*/gi, '$1***');
  }
}

/** The password in a database URL, or `undefined`; used to scrub it from error text. */
export function passwordOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    const password = parsed.password || parsed.searchParams.get('password') || '';
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return /\/\/[^:/@]*:([^@/]*)@/.exec(url)?.[1];
  }
}

/** The port a database URL names (first host), or `undefined` when it names none. */
export function portOf(url: string): number | undefined {
  const match = /^[a-z]+:\/\/(?:[^@/]*@)?[^:/,?]*:(\d+)/i.exec(url);
  return match ? Number(match[1]) : undefined;
}

/**
 * Whether to use prepared statements by default. Supabase's transaction pooler (port 6543, or a
 * `pgbouncer=true` URL) hands each transaction a different server connection, where prepared
 * statements of an earlier one do not exist.
 */
export function defaultPrepare(url: string): boolean {
  if (portOf(url) === 6543) return false;
  return !/[?&]pgbouncer=true\b/i.test(url);
}
