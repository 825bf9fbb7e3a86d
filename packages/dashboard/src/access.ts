import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** The cookie that keeps a browser signed in after it opened `?token=…` once. */
export const TOKEN_COOKIE = 'mini_agent_dashboard_token';

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, `localhost`. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** The verdict on one request. */
export type AccessDecision =
  | { readonly allow: true }
  /** The token came in the query: set the cookie and send the browser to the same URL without it. */
  | { readonly allow: true; readonly setCookie: string; readonly redirectTo: string }
  | { readonly allow: false; readonly status: 401 | 403; readonly reason: string };

/**
 * Who may read the pages. Without a token (only allowed on a loopback bind) any local client may,
 * as long as the Host header names a loopback host: a page on some website that resolves its own
 * name to 127.0.0.1 (DNS rebinding) sends its own name as Host and is refused. With a token, every
 * request must carry it: `Authorization: Bearer`, the cookie, or `?token=` once.
 */
export function accessPolicy(token: string | undefined): (request: IncomingMessage, url: URL) => AccessDecision {
  const expected = token ? digest(token) : undefined;
  const matches = (candidate: string | undefined | null) => !!candidate && !!expected && timingSafeEqual(digest(candidate), expected);
  return (request, url) => {
    if (!expected) {
      const host = hostName(request.headers.host ?? '');
      return isLoopback(host) ? { allow: true } : { allow: false, status: 403, reason: `Host "${host}" is not this machine's loopback name.` };
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (matches(bearer) || matches(readCookie(request.headers.cookie, TOKEN_COOKIE))) return { allow: true };
    const fromQuery = url.searchParams.get('token');
    if (matches(fromQuery)) {
      const clean = new URL(url);
      clean.searchParams.delete('token');
      return {
        allow: true,
        setCookie: `${TOKEN_COOKIE}=${encodeURIComponent(fromQuery!)}; Path=/; HttpOnly; SameSite=Strict`,
        redirectTo: `${clean.pathname}${clean.search}`,
      };
    }
    return { allow: false, status: 401, reason: 'This dashboard needs its token: open the URL the dashboard command printed (it ends in ?token=…).' };
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function hostName(hostHeader: string): string {
  // "[::1]:4400" → "[::1]", "localhost:4400" → "localhost"
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(hostHeader.trim());
  return match?.[1] ?? hostHeader;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
