import { CliError } from '../command.js';

/** Options of {@link postToWebhook}. */
export interface WebhookOptions {
  /** Give up after this long (connecting, sending and the answer together). */
  readonly timeoutMs: number;
  readonly userAgent: string;
}

/**
 * How a webhook URL may be printed: scheme and host only. Webhook URLs often carry their secret in
 * the path or the query (Slack's `hooks.slack.com/services/T…/B…/secret`), so the rest never
 * reaches a terminal or a log.
 */
export function webhookLabel(url: string): string {
  const parsed = new URL(url);
  const rest = parsed.pathname !== '/' || parsed.search ? '/…' : '';
  return `${parsed.protocol}//${parsed.host}${rest}`;
}

/**
 * POSTs `payload` as JSON, once (the next cron run is the retry). Resolves when the webhook answers
 * 2xx; anything else — refused, unreachable, too slow, a non-2xx status — is a {@link CliError}
 * saying which, with the URL masked.
 */
export async function postToWebhook(url: string, payload: unknown, options: WebhookOptions): Promise<void> {
  const where = `the webhook at ${webhookLabel(url)}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': options.userAgent },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new CliError(`could not send the alerts: ${where} ${failure(error, options.timeoutMs)}`);
  }
  const body = await response.text().catch(() => '');
  if (!response.ok) {
    const excerpt = body.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw new CliError(`could not send the alerts: ${where} answered ${response.status} ${response.statusText}${excerpt ? `: ${excerpt}` : ''}`.trimEnd());
  }
}

function failure(error: unknown, timeoutMs: number): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') return `did not answer within ${timeoutMs / 1000} s`;
  // fetch() says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a TLS error) is its cause.
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const reason = cause?.message ?? cause?.code ?? (error instanceof Error ? error.message : String(error));
  return `could not be reached: ${reason}`;
}
