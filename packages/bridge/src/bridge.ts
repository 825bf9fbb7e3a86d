import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeliveryError, InterpretingExporter, type SpanExporter } from '@mini-agent/core';
import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { bearerTokenMatches } from './bearer-token.js';
import { resolveBridgeOptions, TRACES_PATH, type BridgeOptions, type ResolvedBridgeOptions } from './bridge-options.js';
import { contentEncodingOf, decodeJson, decodeProtobuf } from './decode.js';
import { OtlpRequestError } from './errors.js';
import { encodingOf, type OtlpEncoding } from './media-type.js';
import { decompressBody, readBody } from './request-body.js';
import { sendErrorResponse, sendExportResponse, sendJson } from './responses.js';
import { BridgeState, exporterCanAccept, type BridgeHealth, type BridgeStats } from './bridge-state.js';
import { SpanQueue } from './span-queue.js';

/** A running OTLP/HTTP trace receiver. */
export interface Bridge {
  /** `http://host:port` */
  readonly url: string;
  /** The OTLP/HTTP traces endpoint: `http://host:port/v1/traces`. */
  readonly tracesUrl: string;
  readonly port: number;
  /** The exporter the bridge feeds. */
  readonly exporter: SpanExporter;
  stats(): BridgeStats;
  /** This process's own health (`GET /health` answers with `options.health` of it when that is given). */
  health(): BridgeHealth;
  /**
   * Resolves once every span accepted so far has been exported and the exporter has flushed (for
   * the mini-agent exporters: stored). Waits while a sink is down and being retried.
   */
  flush(): Promise<void>;
  /** Stops accepting (new requests get 503), answers the ones in flight, exports the queue, shuts the exporter down. */
  close(): Promise<void>;
}

/**
 * Starts an OTLP/HTTP trace receiver — what a Collector's `otlphttp` exporter, or any OTLP SDK,
 * sends to — and feeds every span to the mini-agent exporters, exactly as if it had ended in process.
 *
 * `POST /v1/traces` takes `application/x-protobuf` or `application/json`, gzip/deflate or not, and
 * answers as OTLP/HTTP specifies. With a durable spool behind every sink (`delivery.spoolDir`), a
 * 200 means the spans are stored or spooled to disk (503 with `Retry-After` when they could not
 * be). Without one, a 200 means the spans were decoded and accepted into the bridge's in-memory
 * queue: they are exported moments later, and lost if the process dies first (a sender that must
 * not lose spans keeps them in its own persistent queue until then, as the Collector's
 * `sending_queue` does). Failed exports are counted in {@link Bridge.stats}.
 *
 * @example
 * ```ts
 * import { createBridge } from '@mini-agent/bridge';
 * import { createPostgresSink } from '@mini-agent/exporter-postgres';
 * const bridge = await createBridge({ sinks: [createPostgresSink()], port: 4319 });
 * // OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:4319/v1/traces for any OTel SDK
 * ```
 */
export async function createBridge(options: BridgeOptions): Promise<Bridge> {
  const config = resolveBridgeOptions(options);
  const exporter = exporterOf(options);
  const queue = new SpanQueue({ exporter, ...config, canExport: () => exporterCanAccept(exporter) });
  const state = new BridgeState(config, queue, exporter, options.ready ?? []);
  const reported = options.health;
  const health = reported ? () => reported(state.health()) : () => state.health();
  // With a durable spool behind every sink, a sender hears 200 only once its spans are stored or on disk.
  const durable = (exporter as { durable?: unknown }).durable === true;
  const server = createServer({ requestTimeout: 60_000, headersTimeout: 30_000 }, (req, res) => {
    state.requestStarted();
    res.once('close', () => state.requestEnded());
    handle(req, res, state, durable, health).catch((error: unknown) => {
      diag.error('mini-agent bridge: unexpected error while answering a request', error);
      sendErrorResponse(res, undefined, new OtlpRequestError(500, 'Internal error'));
    });
  });
  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl}:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    tracesUrl: `${url}${TRACES_PATH}`,
    port,
    exporter,
    stats: () => state.stats(),
    health: () => state.health(),
    flush: async () => {
      await queue.flush();
      await exporter.forceFlush?.();
    },
    close: () => (closing ??= shutdown(server, state, exporter)),
  };
}

function exporterOf(options: BridgeOptions): SpanExporter {
  if (options.exporter && options.sinks) throw new TypeError('createBridge: give either exporter or sinks, not both');
  if (options.exporter) return options.exporter;
  if (options.sinks) {
    const { sinks, interpretOptions, delivery } = options;
    // Called from the bridge's own queue, not from an agent's span.end(): nothing to defer for.
    return new InterpretingExporter({ sinks, deferExport: false, ...(interpretOptions ? { interpretOptions } : {}), ...(delivery ? { delivery } : {}) });
  }
  throw new TypeError('createBridge: give an exporter or sinks to send spans to');
}

async function handle(req: IncomingMessage, res: ServerResponse, state: BridgeState, durable: boolean, healthOf: () => BridgeHealth): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0];
  if (path === '/health' || path === '/health/live' || path === '/health/ready') {
    const health = healthOf();
    // Liveness never fails while the process answers; readiness (and /health) say whether to send.
    sendJson(res, path === '/health/live' || health.ready ? 200 : 503, health);
    return;
  }
  if (path !== TRACES_PATH) {
    sendJson(res, 404, { code: 5, message: `No route for ${path}: OTLP traces go to POST ${TRACES_PATH}` });
    return;
  }
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    sendJson(res, 405, { code: 12, message: `${req.method} is not supported on ${TRACES_PATH}: use POST` });
    return;
  }
  let encoding: OtlpEncoding | undefined;
  try {
    encoding = encodingOf(req.headers['content-type']);
    await receiveExport(req, res, state, encoding, durable);
  } catch (error) {
    if (!(error instanceof OtlpRequestError)) throw error;
    state.countResponse(error.statusCode);
    if (!req.complete) {
      // The rest of the body is not read: close the connection after answering instead of
      // draining what may be megabytes the client is still sending.
      res.setHeader('Connection', 'close');
      res.once('finish', () => req.socket.destroySoon());
    }
    sendErrorResponse(res, encoding, error);
  }
}

async function receiveExport(req: IncomingMessage, res: ServerResponse, state: BridgeState, encoding: OtlpEncoding, durable: boolean): Promise<void> {
  const { config } = state;
  if (config.token !== undefined && !bearerTokenMatches(req.headers.authorization, config.token)) {
    throw new OtlpRequestError(401, 'Missing or wrong bearer token: send Authorization: Bearer <MINI_AGENT_BRIDGE_TOKEN>');
  }
  const contentEncoding = req.headers['content-encoding'];
  contentEncodingOf(contentEncoding);
  state.checkAvailable();
  const body = await readBody(req, config.maxBodyBytes);
  const raw = await decompressBody(body, contentEncoding, config.maxBodyBytes);
  const decoded = encoding === 'json' ? decodeJson(raw) : decodeProtobuf(raw);
  // Checked again: other requests may have filled the queue while this body was read.
  if (state.closing) throw new OtlpRequestError(503, 'The bridge is shutting down', config.retryAfterSeconds);
  if (!durable) {
    if (!state.queue.offer(decoded.spans)) throw state.queueFull();
    state.countAccepted(body.byteLength, decoded.spans.length, decoded.rejectedSpans, decoded.refusedIdentities);
    state.countResponse(200);
    sendExportResponse(res, encoding, decoded.rejectedSpans, decoded.rejectionMessage);
    return;
  }
  const exported = state.queue.offerAndWait(decoded.spans);
  if (!exported) throw state.queueFull();
  const result = await exported;
  let warning = decoded.rejectionMessage;
  if (result.code !== ExportResultCode.SUCCESS) {
    const error = result.error;
    if (!(error instanceof DeliveryError) || error.retryable || error.dropped) {
      // Neither stored nor spooled: the sender keeps the spans and sends them again.
      throw new OtlpRequestError(503, `The spans could not be stored or spooled yet: ${error?.message ?? 'export failed'}`, state.config.retryAfterSeconds);
    }
    // A sink refused them for good: sending again cannot help, so the answer is 200 with the reason as a warning.
    warning = [warning, `a sink refused the spans: ${error.message}`].filter(Boolean).join('; ');
  }
  state.countAccepted(body.byteLength, decoded.spans.length, decoded.rejectedSpans, decoded.refusedIdentities);
  state.countResponse(200);
  sendExportResponse(res, encoding, decoded.rejectedSpans, warning);
}

/** How long `close()` lets requests in flight finish before closing their connections. */
const REQUEST_GRACE_MILLIS = 10_000;

async function shutdown(server: Server, state: BridgeState, exporter: SpanExporter): Promise<void> {
  state.closing = true;
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Requests already being read finish (and are answered) before the queue is drained; a client
  // still uploading after the grace period is cut off (it gets no 200, so it keeps its data).
  const grace = new Promise<void>((resolve) => setTimeout(resolve, REQUEST_GRACE_MILLIS).unref());
  await Promise.race([state.requestsDone(), grace]);
  server.closeAllConnections();
  await stopped;
  await state.queue.drainAll();
  await exporter.shutdown();
}

/**
 * Connections the kernel may hold before the bridge accepts them. Node's default (511) overflows
 * when many senders open connections at once while the event loop is busy decoding: the
 * connections beyond it were reset (ECONNRESET; ~10% of a 1,000-connection burst on a loaded
 * machine). Linux caps it at `net.core.somaxconn` (4096 by default).
 */
const LISTEN_BACKLOG = 4096;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
