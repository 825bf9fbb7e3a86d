import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultMessage, ingestBatch, type EventFault } from './langfuse-server/ingestion-route.js';
import { handleOtelRequest, type LangfuseServerWarning } from './langfuse-server/otel-route.js';
import { answerProjects, DEFAULT_TEST_PROJECT, projectsMethodAllowed, type LangfuseTestProject } from './langfuse-server/projects-route.js';
import type { LangfuseDeployment, OtelWritePath, OtelWritePathReason } from './langfuse-server/write-path.js';
import { langfuseIngestionValidator, type IngestionEventValidator } from './langfuse-openapi.js';
import { LangfuseStore, type IngestionEventLike, type StoredObservation, type StoredTrace } from './langfuse-store.js';
import type { DecodedOtlpSpan } from './otlp-decode.js';

/** The endpoints the server implements. */
export type LangfuseEndpoint = 'ingestion' | 'otel' | 'projects';

/**
 * A switchable fault. `times` (default 1) counts requests for `status` and `slow`, and matching
 * events for `event-errors`; `Infinity` keeps the fault until {@link LangfuseTestServer.clearFaults}.
 */
export type LangfuseFault =
  /** Answer the whole request with this status (429 with `retryAfter`, 500, 503, 400, …). */
  | { kind: 'status'; status: number; retryAfter?: string; message?: string; times?: number; endpoint?: LangfuseEndpoint }
  /** Wait before handling the request normally. */
  | { kind: 'slow'; delayMillis: number; times?: number; endpoint?: LangfuseEndpoint }
  /** Answer 207 with these events failed (all events, or those `match` selects). Ingestion only. */
  | { kind: 'event-errors'; status: number; message?: string; match?: (event: IngestionEventLike) => boolean; times?: number };

/** One request as the server saw it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
  /** The request headers (names in lower case). */
  readonly headers: IncomingHttpHeaders;
  /** When the request reached the server (`Date.now()`), to measure a client's waits from this side. */
  readonly receivedAt: number;
  /** Events of an ingestion request, in order, whatever their outcome. */
  readonly eventIds: readonly string[];
  /** The write path an accepted OTLP request took, and why (Langfuse's `write_path` label). */
  readonly writePath?: OtelWritePath;
  readonly writePathReason?: OtelWritePathReason;
  /** The body as received (still compressed if it was), when the server keeps bodies. */
  readonly body?: Buffer;
}

/** Options of {@link startLangfuseTestServer}. */
export interface LangfuseTestServerOptions {
  readonly publicKey: string;
  readonly secretKey: string;
  /** The OpenAPI document to validate ingestion events against (read on the first ingestion request); default from `MINI_AGENT_LANGFUSE_OPENAPI`. */
  readonly specPath?: string;
  /** Ingestion bodies above this size get 413, as the ingestion route's body limit does. Default 4.5 MB. */
  readonly maxRequestBytes?: number;
  /**
   * OTLP bodies above this size get 413. Default: no limit, as Langfuse's OTel route has none (it
   * warns above 16 MB, see {@link LangfuseTestServer.warnings}); a proxy in front may set one.
   */
  readonly maxOtelRequestBytes?: number;
  /** The server line: `4` (default, the current one) or `3`. */
  readonly langfuseVersion?: 3 | 4;
  /** v4's `LANGFUSE_MIGRATION_V4_WRITE_MODE`: `events_only` (default) or `dual`. See {@link LangfuseDeployment}. */
  readonly v4WriteMode?: LangfuseDeployment['writeMode'];
  /**
   * v4's `LANGFUSE_MIGRATION_V4_NATIVE_OTEL_BEHAVIOUR`: `direct` (default) or `dual_write` (the path
   * decided per request by its headers, as on Langfuse Cloud; needs `v4WriteMode: 'dual'`).
   */
  readonly v4NativeOtelBehaviour?: LangfuseDeployment['nativeOtelBehaviour'];
  /** Langfuse Cloud's direct path for non-SDK traffic of organizations created after its v4 cut-off. Default false. */
  readonly directForNewOrganizations?: boolean;
  /** Keep every request body in {@link ReceivedRequest.body} (for byte-level checks, e.g. that a secret never arrived). */
  readonly keepBodies?: boolean;
  /** The project the keys belong to, as `GET /api/public/projects` names it. Default {@link DEFAULT_TEST_PROJECT}. */
  readonly project?: LangfuseTestProject;
}

/** A local stand-in for Langfuse's public API. */
export interface LangfuseTestServer {
  /** `http://127.0.0.1:<port>`: what a client uses as its Langfuse base URL. */
  readonly baseUrl: string;
  readonly requests: readonly ReceivedRequest[];
  /** Ingestion events the server accepted (201), in arrival order, duplicates included. */
  readonly acceptedEvents: readonly IngestionEventLike[];
  /** OTLP spans the server accepted, in arrival order, duplicates included. */
  readonly acceptedSpans: readonly DecodedOtlpSpan[];
  /** What the real server would have logged as warnings (an OTLP body over 16 MB). */
  readonly warnings: readonly LangfuseServerWarning[];
  /** The deployment the server behaves like. */
  readonly deployment: LangfuseDeployment;
  /** Stored traces by id (upserted). */
  trace(id: string): StoredTrace | undefined;
  traces(): StoredTrace[];
  /** Stored observations (upserted), optionally of one trace. */
  observations(traceId?: string): StoredObservation[];
  observation(id: string): StoredObservation | undefined;
  inject(fault: LangfuseFault): void;
  clearFaults(): void;
  /** Forgets everything received, keeps faults. */
  reset(): void;
  /** Resolves once no request is being handled (e.g. a slow one a client gave up on). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const INGESTION_PATH = '/api/public/ingestion';
const OTEL_TRACES_PATH = '/api/public/otel/v1/traces';
const PROJECTS_PATH = '/api/public/projects';

/** The deployment of the options, refusing a combination Langfuse v4 itself refuses to start with. */
function deploymentOf(options: LangfuseTestServerOptions): LangfuseDeployment {
  const deployment: LangfuseDeployment = {
    version: options.langfuseVersion ?? 4,
    writeMode: options.v4WriteMode ?? 'events_only',
    nativeOtelBehaviour: options.v4NativeOtelBehaviour ?? 'direct',
    directForNewOrganizations: options.directForNewOrganizations ?? false,
  };
  if (deployment.writeMode === 'events_only' && deployment.nativeOtelBehaviour === 'dual_write') {
    throw new Error('Invalid V4 config: LANGFUSE_MIGRATION_V4_NATIVE_OTEL_BEHAVIOUR=dual_write is incoherent with LANGFUSE_MIGRATION_V4_WRITE_MODE=events_only');
  }
  return deployment;
}

/**
 * Starts a server on 127.0.0.1 (random port) that behaves like Langfuse's server (v4 by default):
 * Basic auth (401 on wrong keys); `POST /api/public/ingestion` validating every event against the
 * OpenAPI document and answering 207 with per-event successes and errors (a v4 server in
 * `events_only` mode refusing trace and observation events); `POST /api/public/otel/v1/traces`
 * decoding OTLP protobuf and JSON (gzip too), refusing a batch with an invalid span id whole,
 * choosing the direct or dual write path per request and storing what each path stores;
 * `GET /api/public/projects` naming the keys' project; and the faults of {@link LangfuseFault}.
 *
 * @example
 * ```ts
 * const server = await startLangfuseTestServer({ publicKey: 'pk-lf-test', secretKey: 'sk-lf-test' });
 * server.inject({ kind: 'status', status: 429, retryAfter: '1' });
 * // … export, then: expect(server.observations()).toHaveLength(3)
 * await server.close();
 * ```
 */
export async function startLangfuseTestServer(options: LangfuseTestServerOptions): Promise<LangfuseTestServer> {
  // Built on the first ingestion request: the OTLP endpoint needs no OpenAPI document.
  let validator: IngestionEventValidator | undefined;
  const expectedAuth = `Basic ${Buffer.from(`${options.publicKey}:${options.secretKey}`).toString('base64')}`;
  const maxRequestBytes = options.maxRequestBytes ?? 4.5 * 1024 * 1024;
  const maxOtelRequestBytes = options.maxOtelRequestBytes ?? Number.POSITIVE_INFINITY;
  const deployment = deploymentOf(options);
  const store = { current: new LangfuseStore() };
  const requests: ReceivedRequest[] = [];
  const acceptedEvents: IngestionEventLike[] = [];
  const acceptedSpans: DecodedOtlpSpan[] = [];
  const warnings: LangfuseServerWarning[] = [];
  let faults: { fault: LangfuseFault; left: number }[] = [];
  let inFlight = 0;
  const waiters: (() => void)[] = [];

  const takeRequestFault = (kind: 'status' | 'slow', endpoint: LangfuseEndpoint): LangfuseFault | undefined => {
    const entry = faults.find((f) => f.fault.kind === kind && (f.fault.endpoint ?? endpoint) === endpoint && f.left > 0);
    if (!entry) return undefined;
    entry.left -= 1;
    return entry.fault;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const receivedAt = Date.now();
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const endpoint: LangfuseEndpoint | undefined =
      path === INGESTION_PATH ? 'ingestion' : path === OTEL_TRACES_PATH ? 'otel' : path === PROJECTS_PATH ? 'projects' : undefined;
    const limit = endpoint === 'otel' ? maxOtelRequestBytes : maxRequestBytes;
    const { body, size } = await readBody(req, limit);
    const log = (status: number, eventIds: string[] = [], route: Pick<ReceivedRequest, 'writePath' | 'writePathReason'> = {}): void => {
      requests.push({
        method: req.method ?? '', path, status, bytes: size, eventIds, receivedAt, ...route,
        contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'], headers: req.headers,
        ...(options.keepBodies ? { body } : {}),
      });
    };
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}, eventIds: string[] = []): void => {
      log(status, eventIds);
      sendJson(res, status, payload, headers);
    };

    if (endpoint === 'projects' && !projectsMethodAllowed(req.method ?? '')) return reply(405, { message: 'Method not allowed' });
    if (!endpoint || (endpoint !== 'projects' && req.method !== 'POST')) return reply(404, { message: `No route for ${req.method} ${path}` });
    if (req.headers.authorization !== expectedAuth) {
      return reply(401, { message: "Invalid credentials. Confirm that you've configured the correct host." });
    }
    if (size > limit) return reply(413, { message: `Request body exceeds ${limit} bytes` });
    const slow = takeRequestFault('slow', endpoint);
    if (slow?.kind === 'slow') await sleep(slow.delayMillis);
    const failure = takeRequestFault('status', endpoint);
    if (failure?.kind === 'status') {
      const headers: Record<string, string> = failure.retryAfter ? { 'Retry-After': failure.retryAfter } : {};
      return reply(failure.status, { message: failure.message ?? defaultMessage(failure.status) }, headers);
    }

    if (endpoint === 'projects') {
      const answer = answerProjects(req.method ?? '', options.project ?? DEFAULT_TEST_PROJECT);
      return reply(answer.status, answer.body);
    }
    if (endpoint === 'otel') {
      const outcome = handleOtelRequest(body, req.headers, deployment);
      // The OTel route answers errors as `{ error }`, not `{ message }`.
      if (!outcome.accepted) return reply(outcome.status, { error: outcome.error });
      if (outcome.warning) warnings.push(outcome.warning);
      for (const span of outcome.spans) {
        acceptedSpans.push(span);
        store.current.addOtlpSpan(span, outcome.path);
      }
      log(200, [], { writePath: outcome.path, writePathReason: outcome.reason });
      // An empty ExportTraceServiceResponse: zero bytes in protobuf, `{}` in JSON.
      const json = (req.headers['content-type'] ?? '').includes('json');
      res.writeHead(200, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
      return;
    }

    const encoding = req.headers['content-encoding'];
    // The ingestion endpoint takes plain JSON; compression is for the OTLP endpoint.
    if (encoding && encoding !== 'identity') return reply(415, { message: `Unsupported content encoding ${encoding}` });
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return reply(400, { message: 'Invalid request data', error: 'Body is not JSON' });
    }
    const batch = (parsed as { batch?: unknown } | null)?.batch;
    if (!Array.isArray(batch)) return reply(400, { message: 'Invalid request data', error: 'batch must be an array' });
    const eventFaults: EventFault[] = faults.flatMap((entry) => (entry.fault.kind === 'event-errors' ? [eventFault(entry)] : []));
    const outcome = ingestBatch(batch, deployment, () => (validator ??= langfuseIngestionValidator(options.specPath)), eventFaults, (event) => {
      acceptedEvents.push(event);
      store.current.addIngestionEvent(event);
    });
    reply(207, outcome, {}, batch.map((event) => String((event as { id?: unknown })?.id ?? 'unknown')));
  };

  const server = createServer((req, res) => {
    inFlight += 1;
    handle(req, res)
      .catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: `Test server error: ${(error as Error).message}` });
      })
      .finally(() => {
        inFlight -= 1;
        if (inFlight === 0) for (const wake of waiters.splice(0)) wake();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    acceptedEvents,
    acceptedSpans,
    warnings,
    deployment,
    trace: (id) => store.current.traces.get(id),
    traces: () => [...store.current.traces.values()],
    observations: (traceId) => [...store.current.observations.values()].filter((o) => traceId === undefined || o.traceId === traceId),
    observation: (id) => store.current.observations.get(id),
    inject(fault) {
      faults.push({ fault, left: fault.times ?? 1 });
    },
    clearFaults() {
      faults = [];
    },
    reset() {
      requests.length = 0;
      acceptedEvents.length = 0;
      acceptedSpans.length = 0;
      warnings.length = 0;
      store.current = new LangfuseStore();
    },
    settled: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A live view of an `event-errors` fault: counting down `left` counts down the fault itself. */
function eventFault(entry: { fault: LangfuseFault; left: number }): EventFault {
  const fault = entry.fault as Extract<LangfuseFault, { kind: 'event-errors' }>;
  return {
    status: fault.status,
    ...(fault.message !== undefined ? { message: fault.message } : {}),
    ...(fault.match ? { match: fault.match } : {}),
    get left() {
      return entry.left;
    },
    set left(value: number) {
      entry.left = value;
    },
  };
}

async function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Past the limit the body is only counted, so a huge request cannot exhaust memory.
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return { body: Buffer.concat(chunks), size };
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(payload));
}
