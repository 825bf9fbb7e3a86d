import type { Attributes } from '@opentelemetry/api';
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { ATTR_AGENT_NAME } from '@mini-agent/semconv';

/** What identifies the agent on every span. */
export interface ResourceOptions {
  /** `service.name`. Default: `OTEL_SERVICE_NAME`, else `mini-agent`. */
  readonly serviceName?: string;
  /** `service.version`. Default: `npm_package_version` when run from an npm script. */
  readonly serviceVersion?: string;
  /** `mini_agent.agent.name`. Default: the service name. */
  readonly agentName?: string;
  /** More resource attributes (`deployment.environment.name`, ...). */
  readonly resourceAttributes?: Attributes;
}

/**
 * The SDK's default resource (telemetry.sdk.*), then `OTEL_RESOURCE_ATTRIBUTES`, then ours:
 * passing a resource to the provider replaces the default instead of merging, so merge here.
 */
export function buildResource(options: ResourceOptions, env: NodeJS.ProcessEnv = process.env): Resource {
  const serviceName = options.serviceName ?? nonEmpty(env.OTEL_SERVICE_NAME) ?? 'mini-agent';
  const serviceVersion = options.serviceVersion ?? nonEmpty(env.npm_package_version);
  const ours: Attributes = {
    ...options.resourceAttributes,
    [ATTR_SERVICE_NAME]: serviceName,
    [ATTR_AGENT_NAME]: options.agentName ?? serviceName,
  };
  if (serviceVersion !== undefined) ours[ATTR_SERVICE_VERSION] = serviceVersion;
  return defaultResource().merge(detectResources({ detectors: [envDetector] })).merge(resourceFromAttributes(ours));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
