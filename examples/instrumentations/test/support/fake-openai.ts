import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat completions request as the server received it. */
export interface ReceivedChat {
  readonly model: string;
  readonly messages: { role: string; content?: unknown; tool_calls?: unknown }[];
}

/** A local server that answers `POST /v1/chat/completions` like the OpenAI API. */
export interface FakeOpenAi {
  /** Base URL for the `openai` client, e.g. `http://127.0.0.1:1234/v1`. */
  readonly baseURL: string;
  readonly received: ReceivedChat[];
  close(): Promise<void>;
}

/**
 * Answers the first request of a conversation with one `get_weather` tool call and, once the
 * tool's result is in the messages, with a final text. Usage carries cached and reasoning
 * tokens, as current OpenAI models report them.
 */
export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const received: ReceivedChat[] = [];
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    const body = JSON.parse(await text(req)) as ReceivedChat;
    received.push(body);
    const toolAnswered = body.messages.some((m) => m.role === 'tool');
    // One connection per request: a kept-alive socket the server times out while a slow test
    // is busy elsewhere would reset the client's next request.
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(toolAnswered ? finalAnswer(body.model) : toolCallAnswer(body.model)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function toolCallAnswer(model: string) {
  return completion(model, 'chatcmpl-tool', {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'call_weather_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
  }, 'tool_calls', { prompt: 42, completion: 17, cached: 10, reasoning: 5 });
}

function finalAnswer(model: string) {
  return completion(model, 'chatcmpl-final', { role: 'assistant', content: 'It is sunny in Paris.' }, 'stop', { prompt: 70, completion: 8, cached: 40, reasoning: 0 });
}

function completion(model: string, id: string, message: object, finishReason: string, usage: { prompt: number; completion: number; cached: number; reasoning: number }) {
  return {
    id,
    object: 'chat.completion',
    created: 1_764_000_000,
    model: `${model}-2024-07-18`,
    choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
    usage: {
      prompt_tokens: usage.prompt,
      completion_tokens: usage.completion,
      total_tokens: usage.prompt + usage.completion,
      prompt_tokens_details: { cached_tokens: usage.cached },
      completion_tokens_details: { reasoning_tokens: usage.reasoning },
    },
  };
}

async function text(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
