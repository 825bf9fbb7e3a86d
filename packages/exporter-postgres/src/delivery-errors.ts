import { DeliveryError } from '@mini-agent/core';

/** Error codes of the driver and of Node's sockets that mean "the database could not be reached". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
]);

/**
 * SQLSTATE classes where trying the same batch again can succeed: connection exception (08),
 * transaction rollback such as serialization failure or deadlock (40), insufficient resources (53),
 * operator intervention such as a server restart (57), system error (58).
 */
/** SQLSTATE 54000: a statement over one of the server's size limits. */
const PROGRAM_LIMIT_EXCEEDED = '54000';

const RETRYABLE_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58']);

/**
 * Turns whatever the driver threw into a {@link DeliveryError}: one line, naming where the rows
 * were going (password masked), retryable when the database was out of reach or busy, not when it
 * rejected the rows (constraint, data, or schema errors: the same batch would fail again).
 */
export function toDeliveryError(
  error: unknown,
  where: { target: string; secret?: string | undefined; doing?: string },
): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const code = codeOf(error);
  if (error instanceof RangeError || code === PROGRAM_LIMIT_EXCEEDED) {
    // The batch does not fit in one statement (V8's string limit, jsonb's 256 MB): the delivery
    // pipeline writes it again in halves.
    return new DeliveryError(`postgres: batch too large for ${where.target}: ${oneLine(describe(error, code), where.secret)}`, false, {
      cause: error,
      reason: 'too_large',
    });
  }
  const retryable = isRetryable(code, error);
  const reason = oneLine(describe(error, code), where.secret);
  const unreachable = CONNECTION_CODES.has(code ?? '') || code?.startsWith('08');
  const what = unreachable ? 'cannot reach' : `could not ${where.doing ?? 'write to'}`;
  return new DeliveryError(`postgres: ${what} ${where.target}: ${reason}`, retryable, {
    cause: error,
    reason: unreachable ? 'unreachable' : code && /^[0-9A-Z]{5}$/.test(code) ? `sqlstate_${code}` : 'database_error',
  });
}

function isRetryable(code: string | undefined, error: unknown): boolean {
  if (code === undefined) return error instanceof Error && /connect|socket|closed/i.test(error.message);
  if (CONNECTION_CODES.has(code)) return true;
  return /^[0-9A-Z]{5}$/.test(code) && RETRYABLE_SQLSTATE_CLASSES.has(code.slice(0, 2));
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code) return code;
  // Node reports "localhost refused on ::1 and 127.0.0.1" as an AggregateError with an empty message.
  if (error instanceof AggregateError) return codeOf(error.errors[0]);
  return undefined;
}

function describe(error: unknown, code: string | undefined): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message || (error instanceof AggregateError ? error.errors.map((e) => String((e as Error)?.message ?? e)).join('; ') : '');
  const detail = (error as { detail?: unknown }).detail;
  const text = [message || error.name, typeof detail === 'string' ? detail : ''].filter(Boolean).join(' — ');
  return code && !text.includes(code) ? `${text} (${code})` : text;
}

function oneLine(text: string, secret: string | undefined): string {
  let line = text.replace(/\s+/g, ' ').trim();
  // Drivers do not print passwords, but a server message may echo a connection string back.
  if (secret && secret.length >= 3) line = line.split(secret).join('***');
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
