import { langfuseConfigFromEnv, langfuseOtlpEndpoint } from '@mini-agent/exporter-langfuse';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createBridge, DEFAULT_BRIDGE_PORT, TOKEN_ENV, TRACES_PATH, type Bridge } from '../src/index.js';
import { memorySink } from './helpers.js';
import { post } from './http.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');

/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML is walked by key */
const collector = parse(read('otel-collector.yaml')) as any;
const compose = parse(read('docker-compose.yml'), { merge: true }) as any;
const envExample = Object.fromEntries(
  read('.env.example')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const dockerfile = read('Dockerfile');
const collectorDoc = read('docs/collector.md');

/** `${env:NAME}` / `${env:NAME:-default}` of the Collector, as it substitutes them. */
function collectorSubstitute(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{env:([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => env[name] ?? fallback ?? '');
}

/** Every variable docker compose interpolates (`${NAME}`, `${NAME:-x}`, `${NAME:?msg}`). */
function composeVariables(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(?::?[-?][^}]*)?\}/g)].map((m) => m[1]!));
}

const exporter = () => collector.exporters['otlphttp/mini-agent'];
const service = (name: string) => compose.services[name];

describe('otel-collector.yaml agrees with the bridge', () => {
  it('receives OTLP on the standard ports 4317 (gRPC) and 4318 (HTTP)', () => {
    expect(collector.receivers.otlp.protocols.grpc.endpoint).toMatch(/:4317$/);
    expect(collector.receivers.otlp.protocols.http.endpoint).toMatch(/:4318$/);
  });

  it('runs memory_limiter first, redacts secrets, and batches last', () => {
    const processors: string[] = collector.service.pipelines.traces.processors;
    expect(processors[0]).toBe('memory_limiter');
    expect(processors.at(-1)).toBe('batch');
    expect(processors.some((p) => p.startsWith('redaction'))).toBe(true);
    for (const p of processors) expect(collector.processors[p], p).toBeDefined();
  });

  it('exports to the bridge with its bearer token, retries without giving up, and queues on disk', () => {
    expect(collector.service.pipelines.traces.exporters).toContain('otlphttp/mini-agent');
    expect(exporter().endpoint).toBe('${env:MINI_AGENT_BRIDGE_URL}');
    expect(exporter().headers).toEqual({ Authorization: `Bearer \${env:${TOKEN_ENV}}` });
    expect(exporter().retry_on_failure).toMatchObject({ enabled: true, max_elapsed_time: '0s' });
    const storage = exporter().sending_queue.storage;
    expect(exporter().sending_queue.enabled).toBe(true);
    expect(collector.extensions[storage]).toBeDefined();
    expect(storage).toMatch(/^file_storage/);
    expect(collector.service.extensions).toContain(storage);
  });

  it("the optional Langfuse exporter posts where the Langfuse exporter does, with Basic auth", () => {
    const langfuse = collector.exporters['otlphttp/langfuse'];
    const endpoint = collectorSubstitute(langfuse.traces_endpoint, { LANGFUSE_BASE_URL: 'http://langfuse-web:3000' });
    expect(endpoint).toBe(langfuseOtlpEndpoint('http://langfuse-web:3000'));
    expect(collectorSubstitute(langfuse.traces_endpoint, {})).toBe(langfuseOtlpEndpoint('https://cloud.langfuse.com'));
    expect(langfuse.headers.Authorization).toBe('Basic ${env:LANGFUSE_AUTH:-}');
  });
});

describe('docker-compose.yml wires the services the way the code reads them', () => {
  it('uses the contrib Collector image with otel-collector.yaml mounted where its command reads it', () => {
    const otel = service('otel-collector');
    expect(otel.image).toMatch(/^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/);
    const configPath = /--config=(\S+)/.exec(otel.command.join(' '))![1];
    expect(otel.volumes).toContain(`./otel-collector.yaml:${configPath}:ro`);
    expect(otel.ports).toEqual(expect.arrayContaining(['4317:4317', '4318:4318']));
    // The persistent queue's directory is a named volume, so it outlives the container.
    const queueDir = collector.extensions['file_storage/queue'].directory;
    expect(otel.volumes.some((v: string) => v.endsWith(`:${queueDir}`) && compose.volumes[v.split(':')[0]!] !== undefined)).toBe(true);
  });

  it('points the Collector at the bridge service, its port and the token variable', () => {
    const env = service('otel-collector').environment;
    const url = new URL(env.MINI_AGENT_BRIDGE_URL);
    expect(compose.services[url.hostname]).toBe(service('bridge'));
    expect(Number(url.port)).toBe(DEFAULT_BRIDGE_PORT);
    expect(url.pathname).toBe('/');
    expect(env[TOKEN_ENV]).toBe(service('bridge').environment[TOKEN_ENV]);
  });

  it('runs the bridge from this repository on its port, with the variables the code reads', () => {
    const bridge = service('bridge');
    expect(bridge.build.target).toBe('bridge');
    expect(dockerfile).toMatch(/^FROM \S+ AS bridge$/m);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${DEFAULT_BRIDGE_PORT}$`, 'm'));
    const args: string[] = bridge.command;
    expect(args[0]).toBe('serve');
    expect(args[args.indexOf('--port') + 1]).toBe(String(DEFAULT_BRIDGE_PORT));
    expect(args[args.indexOf('--host') + 1]).toBe('0.0.0.0');
    expect(bridge.ports).toContain(`127.0.0.1:${DEFAULT_BRIDGE_PORT}:${DEFAULT_BRIDGE_PORT}`);
    expect(bridge.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${DEFAULT_BRIDGE_PORT}/health`);

    // Rows: the compose Postgres service and its database.
    const db = new URL(bridge.environment.DATABASE_URL.replace(/\$\{[^}]+\}/, 'pw'));
    expect(compose.services[db.hostname].image).toMatch(/^postgres:/);
    expect(db.pathname).toBe(`/${service('postgres').environment.POSTGRES_DB}`);

    // Langfuse: the names langfuseConfigFromEnv() reads, pointing at the langfuse-web service.
    const langfuseEnv = Object.fromEntries(Object.entries(bridge.environment).filter(([k]) => k.startsWith('LANGFUSE_')).map(([k]) => [k, k === 'LANGFUSE_BASE_URL' ? bridge.environment[k] : 'x']));
    const config = langfuseConfigFromEnv(langfuseEnv as Record<string, string>).config;
    expect(config?.baseUrl).toBe('http://langfuse-web:3000');
    expect(service('langfuse-web').ports).toContain('3000:3000');
  });

  it('sends the example agent to the Collector over OTLP/HTTP', () => {
    const agent = service('example-agent');
    expect(agent.build.target).toBe('example-agent');
    expect(dockerfile).toMatch(/^FROM \S+ AS example-agent$/m);
    const url = new URL(agent.environment.OTEL_EXPORTER_OTLP_ENDPOINT);
    expect(compose.services[url.hostname]).toBe(service('otel-collector'));
    expect(url.port).toBe('4318');
  });

  it('runs the self-hosted Langfuse stack with health checks and named volumes', () => {
    for (const name of ['langfuse-web', 'langfuse-worker', 'clickhouse', 'redis', 'minio', 'langfuse-postgres']) expect(service(name), name).toBeDefined();
    expect(service('langfuse-web').image).toMatch(/^docker\.io\/langfuse\/langfuse:\d+$/);
    expect(service('langfuse-worker').image).toMatch(/^docker\.io\/langfuse\/langfuse-worker:\d+$/);
    for (const [name, s] of Object.entries<any>(compose.services)) {
      const oneShot = s.restart === 'no' || name === 'collector-queue-permissions' || name === 'otel-collector';
      if (!oneShot) expect(s.healthcheck, `${name} has a health check`).toBeDefined();
      for (const volume of (s.volumes ?? []) as string[]) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.')) expect(compose.volumes, `${name} uses a declared named volume`).toHaveProperty(source);
      }
    }
  });

  it('reads every secret from .env, and .env.example names each one without a real value', () => {
    const text = read('docker-compose.yml');
    const required = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*):\?/g)].map((m) => m[1]!);
    expect(required.length).toBeGreaterThan(5);
    for (const name of composeVariables(text)) expect(envExample, `${name} is in .env.example`).toHaveProperty(name);
    for (const [name, value] of Object.entries(envExample)) {
      if (/PASSWORD|SECRET|TOKEN|KEY|SALT|AUTH/.test(name) && value !== '') expect(value, name).toMatch(/CHANGEME/);
    }
    // No credential is written into the file itself.
    expect(text).not.toMatch(/^\s*[A-Z_]*(PASSWORD|SECRET|SALT|ENCRYPTION_KEY|REDIS_AUTH|TOKEN)[A-Z_]*: +["']?(?!\$\{)\S{3,}/m);
  });
});

describe('the header and path the Collector sends are what the bridge accepts', () => {
  let bridge: Bridge;
  beforeAll(async () => {
    bridge = await createBridge({ sinks: [memorySink()], port: 0, token: 'from-env-token' });
  });
  afterAll(async () => {
    await bridge.close();
  });

  it('Authorization as the Collector expands it, at the path otlphttp appends', async () => {
    const headers = Object.fromEntries(
      Object.entries<string>(exporter().headers).map(([k, v]) => [k, collectorSubstitute(v, { [TOKEN_ENV]: 'from-env-token' })]),
    );
    const body = JSON.stringify({ resourceSpans: [] });
    const ok = await post(`${bridge.url}${TRACES_PATH}`, body, { ...headers, 'content-type': 'application/json' });
    expect(ok.status).toBe(200);
    const wrong = await post(`${bridge.url}${TRACES_PATH}`, body, { Authorization: 'Bearer ${env:MINI_AGENT_BRIDGE_TOKEN}', 'content-type': 'application/json' });
    expect(wrong.status).toBe(401);
  });
});

describe('docs/collector.md describes the same wiring', () => {
  it('names the ports, the endpoint path, the images and every variable the bridge and Collector read', () => {
    for (const text of ['4317', '4318', String(DEFAULT_BRIDGE_PORT), TRACES_PATH, '/health', 'otel/opentelemetry-collector-contrib', 'file_storage', 'memory_limiter']) {
      expect(collectorDoc, text).toContain(text);
    }
    const variables = new Set([
      ...Object.keys(service('bridge').environment),
      ...Object.keys(service('otel-collector').environment),
    ]);
    for (const name of variables) expect(collectorDoc, name).toContain(name);
  });
});
