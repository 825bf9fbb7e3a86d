import { DeliveryError } from '@mini-agent/core';
import type { ResolvedLangfuseOptions } from './options.js';
import { deliverWithRetry, isRetryableStatus, parseRetryAfter, type AttemptOutcome } from './retry.js';
import { scoreRequestBody, type LangfuseScore } from './score-mapping.js';
import type { DeliveryCounts, SendOutcome } from './transport.js';
import { EXPORTER_NAME, EXPORTER_VERSION } from './version.js';

/** Requests in flight at once: a burst of judge scores must not flood a rate-limited server. */
const CONCURRENCY = 4;

/** Langfuse's score endpoint under a base URL. */
export function langfuseScoresEndpoint(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/public/scores`;
}

/**
 * Sends scores to `POST /api/public/scores`, one request each: the route every Langfuse server
 * line takes (v2 to v4 and Cloud), whichever transport carries the observations, and the one that
 * upserts by the id given. Retries with this package's policy; counts into the sink's counters like
 * the observation transports do (a score is one item).
 */
export class ScoreTransport {
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly options: ResolvedLangfuseOptions,
    private readonly counts: DeliveryCounts,
  ) {
    this.url = langfuseScoresEndpoint(options.baseUrl);
    this.headers = {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`${options.publicKey}:${options.secretKey}`).toString('base64')}`,
      'x-langfuse-sdk-name': EXPORTER_NAME,
      'x-langfuse-sdk-version': EXPORTER_VERSION,
      'x-langfuse-public-key': options.publicKey,
    };
  }

  /** Sends every score; what failed is reported by score id, never thrown. */
  async send(scores: readonly LangfuseScore[]): Promise<SendOutcome> {
    const unsent: { ids: string[]; error?: DeliveryError } = { ids: [] };
    const refused: { ids: string[]; error?: DeliveryError } = { ids: [] };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < scores.length) {
        const score = scores[next++]!;
        const result = await deliverWithRetry(score, (s) => this.attempt(s), this.options.retry, { onRetry: () => (this.counts.retries += 1) });
        if (result.delivered) {
          this.counts.delivered += 1;
          continue;
        }
        const target = result.error.retryable ? unsent : refused;
        target.ids.push(score.id);
        target.error ??= result.error;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, scores.length) }, worker));
    this.counts.failedRetryable += unsent.ids.length;
    this.counts.rejected += refused.ids.length;
    return {
      retryable: unsent.error ? { ids: unsent.ids, error: unsent.error } : null,
      rejected: refused.error ? { ids: refused.ids, error: refused.error } : null,
    };
  }

  private async attempt(score: LangfuseScore): Promise<AttemptOutcome<LangfuseScore>> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: this.headers,
        body: JSON.stringify(scoreRequestBody(score)),
        signal: AbortSignal.timeout(this.options.timeoutMillis),
      });
    } catch (error) {
      return { done: false, remaining: score, error: new DeliveryError(`Langfuse scores: request failed: ${(error as Error).message}`, true, { cause: error }) };
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return { done: true };
    const status = response.status;
    const message = `Langfuse refused score ${score.name} (${score.id}) (HTTP ${status}): ${serverMessage(text)}`;
    return {
      done: false,
      remaining: score,
      error: new DeliveryError(message, isRetryableStatus(status), {
        reason: `http_${status}`,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      }),
    };
  }
}

function serverMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: the text is the message.
  }
  return text === '' ? 'no message' : text.slice(0, 500);
}
