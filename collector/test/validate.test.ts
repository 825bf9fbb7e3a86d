import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeWithCollector, repoFile, validate } from './otelcol.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML is walked by key */
const read = (path: string) => readFileSync(repoFile(path), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as any;
const manifest = parse(read('collector/manifest.yaml')) as any;

/** `.env.example` as docker compose reads a `.env` made from it. */
const dotEnv: Record<string, string> = Object.fromEntries(
  read('.env.example')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

/** docker compose's interpolation of `${NAME}`, `${NAME:-default}` and `${NAME:?error}` from `.env`. */
function composeInterpolate(value: string): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    const set = dotEnv[name];
    if (set !== undefined && set !== '') return set;
    if (op === '?') throw new Error(`compose would stop: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

/** Every Collector service of docker-compose.yml with the config file it mounts and its environment. */
function composeCollectors(): { name: string; image: string; config: string; env: Record<string, string> }[] {
  return Object.entries<any>(compose.services)
    .filter(([, s]) => /opentelemetry-collector/.test(s.image ?? ''))
    .map(([name, s]) => {
      const configPath = /--config=(\S+)/.exec((s.command ?? []).join(' '))![1]!;
      const volume = (s.volumes as string[]).find((v) => v.split(':')[1] === configPath)!;
      const env = Object.fromEntries(Object.entries<string>(s.environment ?? {}).map(([k, v]) => [k, composeInterpolate(String(v))]));
      return { name, image: s.image, config: volume.split(':')[0]!.replace(/^\.\//, ''), env };
    });
}

/** The release the manifest builds (every module is at it). */
const release = /otlpreceiver (v[\d.]+)/.exec(read('collector/manifest.yaml'))![1]!;

/** Component types a config uses (`otlphttp/mini-agent` → `otlphttp`), per kind. */
function usedTypes(config: any): Record<string, Set<string>> {
  const out: Record<string, Set<string>> = {};
  for (const kind of ['receivers', 'processors', 'exporters', 'extensions']) {
    out[kind] = new Set(Object.keys(config[kind] ?? {}).map((id) => id.split('/')[0]!));
  }
  return out;
}

/** The exporters' deprecated aliases the shipped files may still use, to the names the Collector now lists. */
const EXPORTER_ALIASES: Record<string, string> = { otlphttp: 'otlp_http', otlp: 'otlp_grpc', loadbalancing: 'load_balancing' };

const SHIPPED = ['otel-collector.yaml', 'examples/scaling/gateway.yaml'];
const SCALING_ENV = { MINI_AGENT_BRIDGE_PODS: 'mini-agent-bridge-headless.observability.svc.cluster.local' };

describeWithCollector('otelcol validate on every shipped Collector configuration', (otelcol) => {
  it('docker-compose.yml runs the Collector release collector/ builds, and every Collector service config validates with the environment compose gives it', async () => {
    const services = composeCollectors();
    expect(services.map((s) => s.name)).toEqual(['otel-collector']);
    for (const service of services) {
      expect(service.image, `${service.name} image tag`).toBe(`otel/opentelemetry-collector-contrib:${release.slice(1)}`);
      const result = await validate(otelcol, [service.config], service.env);
      expect(result, `${service.name}: ${result.output}`).toMatchObject({ code: 0 });
    }
  });

  it('otel-collector.yaml fails validation without the bridge URL (the check can fail)', async () => {
    const result = await validate(otelcol, ['otel-collector.yaml'], { MINI_AGENT_BRIDGE_TOKEN: 't' });
    expect(result.code).toBe(1);
    expect(result.output).toContain('otlphttp/mini-agent: at least one endpoint must be specified');
  });

  it('the two-tier configuration of docs/scaling.md validates: the gateway file and its sidecars (otel-collector.yaml)', async () => {
    const gateway = await validate(otelcol, ['examples/scaling/gateway.yaml'], SCALING_ENV);
    expect(gateway, gateway.output).toMatchObject({ code: 0 });
    const sidecar = await validate(otelcol, ['otel-collector.yaml'], { MINI_AGENT_BRIDGE_URL: 'http://127.0.0.1:4319', MINI_AGENT_BRIDGE_TOKEN: 't' });
    expect(sidecar, sidecar.output).toMatchObject({ code: 0 });
    // The doc points at the real files instead of a snippet of its own.
    const doc = read('docs/scaling.md');
    expect(doc).toContain('examples/scaling/gateway.yaml');
    expect(doc).not.toMatch(/port: 4317\n/); // the exporter refuses a numeric DNS port
  });

  it('the gateway runs exactly the memory limit and redaction of otel-collector.yaml', () => {
    const single = parse(read('otel-collector.yaml')) as any;
    const gateway = parse(read('examples/scaling/gateway.yaml')) as any;
    for (const p of ['memory_limiter', 'redaction/secrets', 'attributes/drop-credentials', 'batch']) expect(gateway.processors[p], p).toEqual(single.processors[p]);
    expect(gateway.service.pipelines.traces.processors).toEqual(single.service.pipelines.traces.processors);
    expect(gateway.exporters.load_balancing.routing_key).toBe('traceID');
  });

  it('the manifest builds exactly the components the shipped configurations use, all at one release', () => {
    const built = parse(execFileSync(otelcol, ['components'], { encoding: 'utf8' })) as any;
    const used: Record<string, Set<string>> = { receivers: new Set(), processors: new Set(), exporters: new Set(), extensions: new Set() };
    for (const file of SHIPPED) {
      for (const [kind, types] of Object.entries(usedTypes(parse(read(file))))) {
        for (const t of types) used[kind]!.add(kind === 'exporters' ? (EXPORTER_ALIASES[t] ?? t) : t);
      }
    }
    // load_balancing sends through the OTLP/gRPC exporter (its protocol.otlp), so that one is used too.
    if (used.exporters!.has('load_balancing')) used.exporters!.add('otlp_grpc');
    for (const kind of Object.keys(used)) {
      const names = (built[kind] as { name: string }[]).map((c) => c.name).sort();
      expect(names, kind).toEqual([...used[kind]!].sort());
    }
    const modules = ['receivers', 'processors', 'exporters', 'extensions'].flatMap((k) => (manifest[k] as { gomod: string }[]).map((m) => m.gomod));
    for (const m of modules) expect(m.split(' ')[1], m).toBe(release);
  });
});
