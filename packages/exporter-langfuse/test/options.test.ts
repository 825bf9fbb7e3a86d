import { describe, expect, it } from 'vitest';
import { createLangfuseSink, LangfuseConfigError, langfuseConfigFromEnv, langfuseOtlpEndpoint, resolveLangfuseOptions } from '../src/index.js';

const keys = { LANGFUSE_PUBLIC_KEY: 'pk-lf-abc', LANGFUSE_SECRET_KEY: 'sk-lf-def' };

describe('configuration from the environment', () => {
  it('leaves Langfuse off with a reason naming the missing variables, never their values', () => {
    expect(langfuseConfigFromEnv({})).toEqual({ config: null, reason: 'LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY are not set' });
    const half = langfuseConfigFromEnv({ LANGFUSE_PUBLIC_KEY: 'pk-lf-abc' });
    expect(half).toEqual({ config: null, reason: 'LANGFUSE_SECRET_KEY is not set (LANGFUSE_PUBLIC_KEY is)' });
    expect(langfuseConfigFromEnv({ LANGFUSE_SECRET_KEY: 'sk-lf-def', LANGFUSE_PUBLIC_KEY: '  ' }).reason).toBe('LANGFUSE_PUBLIC_KEY is not set (LANGFUSE_SECRET_KEY is)');
    expect(langfuseConfigFromEnv({ ...keys, LANGFUSE_BASE_URL: 'not a url' }).reason).toMatch(/LANGFUSE_BASE_URL/);
    expect(JSON.stringify(langfuseConfigFromEnv({ LANGFUSE_SECRET_KEY: 'sk-lf-def' }))).not.toContain('sk-lf-def');
  });

  it('reads keys, base URL (either spelling), environment and release', () => {
    expect(langfuseConfigFromEnv({ ...keys, LANGFUSE_BASEURL: 'https://langfuse.internal', LANGFUSE_TRACING_ENVIRONMENT: 'prod', LANGFUSE_RELEASE: 'v3' })).toEqual({
      config: { publicKey: 'pk-lf-abc', secretKey: 'sk-lf-def', baseUrl: 'https://langfuse.internal', transport: 'otlp', environment: 'prod', release: 'v3' },
      reason: null,
    });
    expect(langfuseConfigFromEnv({ ...keys, LANGFUSE_BASE_URL: 'https://us.cloud.langfuse.com', LANGFUSE_BASEURL: 'https://other' }).config?.baseUrl).toBe('https://us.cloud.langfuse.com');
  });

  it('reads the transport from LANGFUSE_TRANSPORT, and says so when it names none', () => {
    expect(langfuseConfigFromEnv({ ...keys, LANGFUSE_TRANSPORT: 'Ingestion' }).config?.transport).toBe('ingestion');
    expect(langfuseConfigFromEnv({ ...keys, LANGFUSE_TRANSPORT: 'grpc' }).reason).toMatch(/LANGFUSE_TRANSPORT/);
    expect(resolveLangfuseOptions({}, { ...keys, LANGFUSE_TRANSPORT: 'ingestion' }).transport).toBe('ingestion');
    expect(resolveLangfuseOptions({ transport: 'otlp' }, { ...keys, LANGFUSE_TRANSPORT: 'ingestion' }).transport).toBe('otlp');
    expect(() => resolveLangfuseOptions({}, { ...keys, LANGFUSE_TRANSPORT: 'grpc' })).toThrow(LangfuseConfigError);
  });

  it('defaults to Langfuse Cloud EU over OTLP with 1 MB fields, and lets options win over the environment', () => {
    const resolved = resolveLangfuseOptions({}, keys);
    expect(resolved).toMatchObject({ baseUrl: 'https://cloud.langfuse.com', transport: 'otlp', maxFieldBytes: 1_000_000, legacyObservationTypes: false });
    expect(resolveLangfuseOptions({ baseUrl: 'http://localhost:3000/', transport: 'ingestion' }, keys)).toMatchObject({ baseUrl: 'http://localhost:3000', transport: 'ingestion' });
    expect(langfuseOtlpEndpoint('http://localhost:3000/')).toBe('http://localhost:3000/api/public/otel/v1/traces');
  });

  it('refuses to build a sink without keys, saying which', () => {
    const saved = { pk: process.env.LANGFUSE_PUBLIC_KEY, sk: process.env.LANGFUSE_SECRET_KEY };
    delete process.env.LANGFUSE_PUBLIC_KEY;
    delete process.env.LANGFUSE_SECRET_KEY;
    try {
      expect(() => createLangfuseSink()).toThrow(LangfuseConfigError);
      expect(() => createLangfuseSink({ publicKey: 'pk-lf-abc' })).toThrow(/LANGFUSE_SECRET_KEY is not set/);
    } finally {
      if (saved.pk !== undefined) process.env.LANGFUSE_PUBLIC_KEY = saved.pk;
      if (saved.sk !== undefined) process.env.LANGFUSE_SECRET_KEY = saved.sk;
    }
  });
});
