import type { Attributes, Span } from '@opentelemetry/api';
import { ATTR_SPAN_KIND, GenAiAttributes, SpanKinds } from '@mini-agent/semconv';
import { quietly } from './guard.js';
import { runInSpan } from './run-in-span.js';
import { safeJsonStringify } from './safe-json.js';

/** One message of the OTel GenAI message format. */
export interface ChatMessage {
  readonly role: string;
  readonly parts: readonly { readonly type: string; readonly content?: unknown; readonly [key: string]: unknown }[];
  readonly finish_reason?: string;
}

/** The model being called. */
export interface LlmCall {
  /** The requested model, e.g. `gpt-4.1-mini`. */
  readonly model: string;
  /** The provider, e.g. `openai`, `anthropic`. */
  readonly provider?: string;
  /** The prompt: a string (one user message) or GenAI messages. */
  readonly input?: string | readonly ChatMessage[];
}

/** What an LLM call's function can tell about the response. */
export interface LlmCallHandle {
  readonly span: Span;
  /**
   * Token counts, as the GenAI conventions count them: `inputTokens` includes the cached and
   * cache-written tokens, `outputTokens` the reasoning tokens. Each kind is priced at its own rate.
   */
  setUsage(usage: {
    readonly inputTokens?: number;
    readonly outputTokens?: number;
    readonly cacheReadInputTokens?: number;
    readonly cacheCreationInputTokens?: number;
    readonly reasoningOutputTokens?: number;
  }): void;
  /**
   * Marks the first chunk of a streamed response as arrived now: the call's time to first token
   * (`gen_ai.response.time_to_first_chunk`). Only the first mark counts.
   */
  firstChunk(): void;
  /** The response: a string (one assistant message) or GenAI messages. Default: `fn`'s value when it is a string. */
  setOutput(output: string | readonly ChatMessage[]): void;
  /** The model that actually answered, when it differs from the requested one. */
  setResponseModel(model: string): void;
}

/**
 * Runs `fn` as one LLM call: an `llm` span with the OpenTelemetry GenAI attributes
 * (`gen_ai.operation.name=chat`, `gen_ai.request.model`, `gen_ai.input.messages`, ...). `fn` gets
 * a handle to report usage and output. Errors are recorded and rethrown; never throws because of
 * telemetry.
 *
 * @example
 * ```ts
 * const reply = await withLlmCall({ model: 'gpt-4.1-mini', provider: 'openai', input: prompt }, async (call) => {
 *   const res = await client.chat(prompt);
 *   call.setUsage({ inputTokens: res.usage.input, outputTokens: res.usage.output });
 *   return res.text; // a string result is recorded as the output
 * });
 * ```
 */
export function withLlmCall<T>(call: LlmCall, fn: (handle: LlmCallHandle) => T): T {
  let outputSet = false;
  const attributes: Attributes = {
    [ATTR_SPAN_KIND]: SpanKinds.LLM,
    [GenAiAttributes.OPERATION_NAME]: 'chat',
    [GenAiAttributes.REQUEST_MODEL]: String(call.model),
  };
  if (call.provider !== undefined) attributes[GenAiAttributes.PROVIDER_NAME] = String(call.provider);
  const input = call.input === undefined ? undefined : safeJsonStringify(asMessages(call.input, 'user'));
  if (input !== undefined) attributes[GenAiAttributes.INPUT_MESSAGES] = input;

  let startedAt = 0;
  let firstChunkSeen = false;
  return runInSpan(
    `chat ${String(call.model)}`,
    attributes,
    (span) => {
      // Measured from the span's start, on a monotonic clock: taken before the span starts, a busy
      // event loop between the two would be counted as waiting for the model.
      startedAt = performance.now();
      return fn({
        span,
        firstChunk: () =>
          quietly('recording the time to first chunk', () => {
            if (firstChunkSeen) return;
            firstChunkSeen = true;
            span.setAttribute(GenAiAttributes.RESPONSE_TIME_TO_FIRST_CHUNK, (performance.now() - startedAt) / 1000);
          }),
        setUsage: (usage) =>
          quietly('recording token usage', () => {
            if (usage.inputTokens !== undefined) span.setAttribute(GenAiAttributes.USAGE_INPUT_TOKENS, usage.inputTokens);
            if (usage.outputTokens !== undefined) span.setAttribute(GenAiAttributes.USAGE_OUTPUT_TOKENS, usage.outputTokens);
            if (usage.cacheReadInputTokens !== undefined) span.setAttribute(GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheReadInputTokens);
            if (usage.cacheCreationInputTokens !== undefined) span.setAttribute(GenAiAttributes.USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheCreationInputTokens);
            if (usage.reasoningOutputTokens !== undefined) span.setAttribute(GenAiAttributes.USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningOutputTokens);
          }),
        setOutput: (output) =>
          quietly('recording an LLM output', () => {
            const json = safeJsonStringify(asMessages(output, 'assistant'));
            if (json !== undefined) span.setAttribute(GenAiAttributes.OUTPUT_MESSAGES, json);
            outputSet = true;
          }),
        setResponseModel: (model) =>
          quietly('recording the response model', () => span.setAttribute(GenAiAttributes.RESPONSE_MODEL, String(model))),
      });
    },
    {
      onSuccess(span, value) {
        if (outputSet || typeof value !== 'string') return;
        const json = safeJsonStringify(asMessages(value, 'assistant'));
        if (json !== undefined) span.setAttribute(GenAiAttributes.OUTPUT_MESSAGES, json);
      },
    },
  );
}

function asMessages(content: string | readonly ChatMessage[], role: 'user' | 'assistant'): readonly ChatMessage[] {
  if (typeof content !== 'string') return content;
  const message: ChatMessage = { role, parts: [{ type: 'text', content }] };
  return [role === 'assistant' ? { ...message, finish_reason: 'stop' } : message];
}
