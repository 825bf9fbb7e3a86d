import {
  context,
  INVALID_SPAN_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Exception,
  type Span,
} from '@opentelemetry/api';
import { quietly } from './guard.js';
import { safeJsonStringify } from './safe-json.js';
import { SCOPE_NAME, VERSION } from './version.js';

/** What to do with a span around a user function, besides starting and ending it. */
export interface SpanLifecycle<T> {
  /** Called right after the span starts, before the function runs. */
  onStart?(span: Span): void;
  /** Called when the function returned (or its promise resolved), before the span ends. */
  onSuccess?(span: Span, value: Awaited<T>): void;
  /** Called after success or failure, right before the span ends. */
  beforeEnd?(span: Span): void;
}

/**
 * Runs `fn` inside a new active span: a child of the active span, ended when `fn` returns or
 * its promise settles. A thrown error or rejection is recorded on the span (status `ERROR` plus
 * an `exception` event) and rethrown unchanged; `fn`'s value is returned unchanged (a promise
 * for a promise). Telemetry failures are swallowed: if no span can be started, `fn` still runs.
 */
export function runInSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => T,
  lifecycle: SpanLifecycle<T> = {},
): T {
  // The tracer is looked up on every call so the helpers follow whatever provider is global now.
  const span = quietly('starting a span', () =>
    trace.getTracer(SCOPE_NAME, VERSION).startSpan(name, { attributes }),
  );
  if (!span) return fn(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  quietly('preparing a span', () => lifecycle.onStart?.(span));
  const spanContext = quietly('activating a span', () => trace.setSpan(context.active(), span));
  return runActive(span, spanContext, fn, lifecycle);
}

function runActive<T>(span: Span, spanContext: Context | undefined, fn: (span: Span) => T, lifecycle: SpanLifecycle<T>): T {
  let called = false;
  let result: T;
  try {
    result = spanContext
      ? context.with(spanContext, () => {
          called = true;
          return fn(span);
        })
      : ((called = true), fn(span));
  } catch (error) {
    if (!called) {
      // The context manager itself failed: run the agent's code without a parent span.
      finish(span, lifecycle, undefined);
      return fn(span);
    }
    finish(span, lifecycle, { error });
    throw error;
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(
      (value) => {
        finish(span, lifecycle, { value: value as Awaited<T> });
        return value;
      },
      (error: unknown) => {
        finish(span, lifecycle, { error });
        throw error;
      },
    ) as T;
  }
  finish(span, lifecycle, { value: result as Awaited<T> });
  return result;
}

type Outcome<T> = { value: Awaited<T> } | { error: unknown } | undefined;

function finish<T>(span: Span, lifecycle: SpanLifecycle<T>, outcome: Outcome<T>): void {
  if (outcome && 'error' in outcome) {
    quietly('recording an error', () => recordFailure(span, outcome.error));
  } else if (outcome) {
    quietly('recording a result', () => lifecycle.onSuccess?.(span, outcome.value));
    quietly('setting a span status', () => span.setStatus({ code: SpanStatusCode.OK }));
  }
  quietly('finishing a span', () => lifecycle.beforeEnd?.(span));
  quietly('ending a span', () => span.end());
}

/** Marks `span` failed with `error`, as OpenTelemetry defines it: an `exception` event and status `ERROR`. */
export function recordFailure(span: Span, error: unknown): void {
  const exception = asException(error);
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: typeof exception === 'string' ? exception : exception.message });
}

/** Errors pass as they are; anything else thrown (a string, a number, an object) gets a message. */
function asException(error: unknown): Exception {
  if (error instanceof Error) return error;
  if (typeof error === 'string') return error;
  return { name: 'NonErrorThrown', message: safeJsonStringify(error) ?? String(error) };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
