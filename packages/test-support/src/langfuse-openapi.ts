import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as openapiToJsonSchema from '@openapi-contrib/openapi-schema-to-json-schema';
import { Ajv, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { load as parseYaml } from 'js-yaml';

/** Environment variable naming Langfuse's published OpenAPI document. */
export const LANGFUSE_OPENAPI_ENV = 'MINI_AGENT_LANGFUSE_OPENAPI';
/** Where the document sits by default, relative to the repository root. */
export const DEFAULT_LANGFUSE_OPENAPI_PATH = '../shared/reference/langfuse-openapi.yml';

/**
 * Observation event types the server accepts beyond the published document: current Langfuse
 * servers take `agent-create`, `tool-create`, … with a span body, but the OpenAPI file (generated
 * from the API definition) has not listed them yet. Their bodies are checked as `CreateSpanEvent`.
 */
export const SERVER_ONLY_OBSERVATION_EVENT_TYPES = [
  'agent-create',
  'tool-create',
  'chain-create',
  'retriever-create',
  'evaluator-create',
  'embedding-create',
  'guardrail-create',
] as const;

/** The verdict on one ingestion event. */
export type IngestionEventVerdict = { readonly ok: true } | { readonly ok: false; readonly message: string; readonly details: unknown };

/** Checks ingestion events against the `IngestionEvent` schema of Langfuse's OpenAPI document. */
export interface IngestionEventValidator {
  /** The document the schemas were read from. */
  readonly specPath: string;
  validate(event: unknown): IngestionEventVerdict;
}

/**
 * Finds the OpenAPI document: `MINI_AGENT_LANGFUSE_OPENAPI` when set, else
 * {@link DEFAULT_LANGFUSE_OPENAPI_PATH} resolved from the repository root. Relative paths in the
 * variable are resolved from the repository root too. The document is read in place, never copied.
 */
export function langfuseOpenApiPath(env: NodeJS.ProcessEnv = process.env): string {
  const given = env[LANGFUSE_OPENAPI_ENV]?.trim() || DEFAULT_LANGFUSE_OPENAPI_PATH;
  return isAbsolute(given) ? given : resolve(repositoryRoot(), given);
}

let cached: IngestionEventValidator | undefined;

/**
 * Builds (once per process and path) a validator for `POST /api/public/ingestion` events from the
 * document at {@link langfuseOpenApiPath}. Reading and compiling the ~500 KB document takes a second or two.
 */
export function langfuseIngestionValidator(specPath: string = langfuseOpenApiPath()): IngestionEventValidator {
  if (cached?.specPath === specPath) return cached;
  if (!existsSync(specPath)) {
    throw new Error(`Langfuse OpenAPI document not found at ${specPath}; set ${LANGFUSE_OPENAPI_ENV} to its path`);
  }
  const document = parseYaml(readFileSync(specPath, 'utf8')) as {
    components?: { schemas?: Record<string, unknown> };
  };
  const openApiSchemas = document.components?.schemas;
  if (!openApiSchemas?.IngestionEvent) throw new Error(`${specPath} has no components.schemas.IngestionEvent`);

  const schemas: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(openApiSchemas)) schemas[name] = toJsonSchema(schema);

  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = (ajvFormats as unknown as { default: (ajv: Ajv) => Ajv }).default;
  addFormats(ajv);
  ajv.addSchema({ $id: 'langfuse-openapi', components: { schemas } });
  const createSpanEvent = ajv.getSchema('langfuse-openapi#/components/schemas/CreateSpanEvent');
  if (!createSpanEvent) throw new Error(`${specPath}: CreateSpanEvent did not compile`);
  // One validator per event type (each branch of IngestionEvent), so a bad event is reported
  // against the schema of its own type rather than against every branch of the union.
  const byType = new Map<string, ValidateFunction>();
  const branches = (openApiSchemas.IngestionEvent as { oneOf?: { allOf?: { properties?: { type?: { enum?: string[] } } }[] }[] }).oneOf ?? [];
  branches.forEach((branch, index) => {
    const type = branch.allOf?.[0]?.properties?.type?.enum?.[0];
    const validate = ajv.getSchema(`langfuse-openapi#/components/schemas/IngestionEvent/anyOf/${index}`);
    if (type && validate) byType.set(type, validate);
  });
  for (const type of SERVER_ONLY_OBSERVATION_EVENT_TYPES) if (!byType.has(type)) byType.set(type, createSpanEvent);
  if (!byType.has('span-create')) throw new Error(`${specPath}: IngestionEvent has no span-create branch`);

  cached = {
    specPath,
    validate(event: unknown): IngestionEventVerdict {
      const type = typeof event === 'object' && event !== null ? (event as { type?: unknown }).type : undefined;
      const validate = typeof type === 'string' ? byType.get(type) : undefined;
      if (!validate) {
        return { ok: false, message: `/type must be one of ${[...byType.keys()].join(', ')}`, details: { type } };
      }
      return verdict(validate, event);
    },
  };
  return cached;
}

function verdict(validate: ValidateFunction, event: unknown): IngestionEventVerdict {
  if (validate(event)) return { ok: true };
  const errors = validate.errors ?? [];
  const lines = [...new Set(errors.map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`))];
  return { ok: false, message: lines.join('; '), details: errors };
}

/**
 * OpenAPI 3.0 schema → JSON Schema, by the maintained converter, plus two adjustments it leaves to
 * the caller: (1) `nullable` beside a `$ref` (the converter ignores `$ref`s) becomes `anyOf [ref, null]`;
 * (2) `oneOf` becomes `anyOf`. The document is generated with overlapping `oneOf` branches (an integer
 * is also a `number` in `MapValue`; `OpenAIUsage` accepts any object, so every `Usage` matches twice)
 * while the server parses these unions first-match, i.e. with `anyOf` semantics.
 */
function toJsonSchema(schema: unknown): unknown {
  const marked = markNullableRefs(schema);
  const converted = openapiToJsonSchema.fromSchema(marked as Parameters<typeof openapiToJsonSchema.fromSchema>[0]) as Record<string, unknown>;
  delete converted.$schema;
  return finish(converted);
}

const NULLABLE_REF = 'x-mini-agent-nullable-ref';

function markNullableRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(markNullableRefs);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  const source = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(source)) {
    if (key === 'nullable' && source.$ref !== undefined) out[NULLABLE_REF] = value;
    else out[key] = markNullableRefs(value);
  }
  return out;
}

function finish(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(finish);
  if (typeof node !== 'object' || node === null) return node;
  const source = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === NULLABLE_REF) continue;
    out[key === 'oneOf' ? 'anyOf' : key] = finish(value);
  }
  if (source[NULLABLE_REF] === true && typeof out.$ref === 'string') {
    const { $ref, ...rest } = out;
    return { ...rest, anyOf: [{ $ref }, { type: 'null' }] };
  }
  return out;
}

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
