import { langfuseConfigFromEnv } from '@mini-agent/exporter-langfuse';

/**
 * Where a Langfuse project is, to link a session to the same trace in Langfuse's UI. The trace id
 * is the OTel trace id (one OTel trace is one Langfuse trace), and Langfuse's web app shows a
 * trace at `<base URL>/project/<project id>/traces/<trace id>`.
 */
export interface LangfuseLinkOptions {
  /** The Langfuse host, e.g. `https://cloud.langfuse.com` (what the sink sends to). */
  readonly baseUrl: string;
  /** The project's API keys: with them `GET /api/public/projects` names the project. */
  readonly publicKey?: string;
  readonly secretKey?: string;
  /** The project id, when known: no request to Langfuse is made. */
  readonly projectId?: string;
  /** How long the project look-up may take. Default 5 s. */
  readonly timeoutMillis?: number;
  /** After a failed look-up, how long until the next one. Default 60 s. */
  readonly retryAfterMillis?: number;
}

/** Links into Langfuse; never waits on the network. */
export interface LangfuseLinks {
  /** The trace's page in Langfuse, or `undefined` while the project id is not known (yet). */
  traceUrl(traceId: string): string | undefined;
  /** Resolves when the look-up in progress (if any) has ended. */
  settled(): Promise<void>;
  /** Abandons a look-up in progress; no new one starts. */
  close(): Promise<void>;
}

/** What `GET /api/public/projects` answers for a project's keys (Langfuse's server: one project). */
interface ProjectsResponse {
  data?: { id?: unknown }[];
}

/**
 * Links into the Langfuse project the keys belong to. The project id is looked up once, in the
 * background, as soon as this is called (`GET /api/public/projects`, Basic auth with the keys); until it is
 * known, and after a failure (logged once per failure, without the keys), pages render without
 * the link, and the look-up is tried again after `retryAfterMillis`.
 */
export function langfuseLinks(options: LangfuseLinkOptions, log: (line: string) => void = () => {}): LangfuseLinks {
  const base = options.baseUrl.replace(/\/+$/, '');
  let projectId = options.projectId;
  let pending: Promise<void> | undefined;
  let nextTryAt = 0;
  const closing = new AbortController();

  const lookUp = async (): Promise<void> => {
    try {
      const response = await fetch(`${base}/api/public/projects`, {
        headers: { authorization: `Basic ${Buffer.from(`${options.publicKey}:${options.secretKey}`).toString('base64')}`, accept: 'application/json' },
        signal: AbortSignal.any([closing.signal, AbortSignal.timeout(options.timeoutMillis ?? 5_000)]),
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as ProjectsResponse;
      const id = body.data?.[0]?.id;
      if (typeof id !== 'string' || id === '') throw new Error('the answer names no project');
      projectId = id;
    } catch (error) {
      if (closing.signal.aborted) return;
      nextTryAt = Date.now() + (options.retryAfterMillis ?? 60_000);
      log(`dashboard: no links to Langfuse for now: looking up the project at ${base}/api/public/projects failed (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      pending = undefined;
    }
  };

  const lookUpIfDue = (): void => {
    if (!projectId && !pending && !closing.signal.aborted && options.publicKey && options.secretKey && Date.now() >= nextTryAt) pending = lookUp();
  };
  lookUpIfDue();
  return {
    traceUrl(traceId) {
      if (projectId) return `${base}/project/${encodeURIComponent(projectId)}/traces/${encodeURIComponent(traceId)}`;
      lookUpIfDue();
      return undefined;
    },
    settled: () => pending ?? Promise.resolve(),
    async close() {
      closing.abort();
      await pending;
    },
  };
}

/**
 * The links of the Langfuse sink the environment configures (`LANGFUSE_PUBLIC_KEY`,
 * `LANGFUSE_SECRET_KEY`, `LANGFUSE_BASE_URL`, read exactly as the sink reads them), with
 * `LANGFUSE_PROJECT_ID` to skip the look-up; `undefined` when no sink is configured.
 */
export function langfuseLinkOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LangfuseLinkOptions | undefined {
  const { config } = langfuseConfigFromEnv(env);
  if (!config?.baseUrl) return undefined;
  const projectId = env.LANGFUSE_PROJECT_ID?.trim();
  return { baseUrl: config.baseUrl, publicKey: config.publicKey, secretKey: config.secretKey, ...(projectId ? { projectId } : {}) };
}
