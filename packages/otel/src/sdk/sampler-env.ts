import { diag } from '@opentelemetry/api';

/** The sampler classes `@opentelemetry/sdk-trace` exports (2.9+ and 3.x), as far as they are used here; `S` its `Sampler`. */
export interface SamplerClasses<S> {
  readonly AlwaysOnSampler: new () => S;
  readonly AlwaysOffSampler: new () => S;
  readonly TraceIdRatioBasedSampler: new (ratio?: number) => S;
  readonly ParentBasedSampler: new (config: { root: S }) => S;
}

/**
 * The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` name, as the 2.x
 * `BasicTracerProvider` built it and the 3.x `TracerProvider` no longer does (it reads no
 * variable). `undefined` when the variable is unset: the SDK's default (parent-based, always on)
 * stays. A name the SDK does not know, or a ratio that is not a number from 0 to 1, gets one
 * `diag` warning and the default, as on the 2.x line.
 */
export function samplerFromEnv<S>(classes: SamplerClasses<S>, env: NodeJS.ProcessEnv = process.env): S | undefined {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  if (!name) return undefined;
  const ratio = () => {
    const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
    if (arg === undefined || arg === '') return 1;
    const value = Number(arg);
    if (Number.isFinite(value) && value >= 0 && value <= 1) return value;
    diag.warn(`mini-agent: OTEL_TRACES_SAMPLER_ARG=${arg} is not a ratio from 0 to 1; using 1`);
    return 1;
  };
  const parentBased = (root: S) => new classes.ParentBasedSampler({ root });
  switch (name) {
    case 'always_on':
      return new classes.AlwaysOnSampler();
    case 'always_off':
      return new classes.AlwaysOffSampler();
    case 'traceidratio':
      return new classes.TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return parentBased(new classes.AlwaysOnSampler());
    case 'parentbased_always_off':
      return parentBased(new classes.AlwaysOffSampler());
    case 'parentbased_traceidratio':
      return parentBased(new classes.TraceIdRatioBasedSampler(ratio()));
    default:
      diag.warn(`mini-agent: OTEL_TRACES_SAMPLER=${name} is not a sampler this SDK has; using parentbased_always_on`);
      return parentBased(new classes.AlwaysOnSampler());
  }
}
