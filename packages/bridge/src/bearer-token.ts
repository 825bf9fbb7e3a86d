import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks an `Authorization` header against the expected bearer token in constant time: both sides
 * are hashed first, so neither the token's content nor its length leaks through response timing.
 */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer[ \t]+(.+)$/i.exec((header ?? '').trim());
  const given = match?.[1]?.trim() ?? '';
  const equal = timingSafeEqual(digest(given), digest(token));
  return equal && given !== '';
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
