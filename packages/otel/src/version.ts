/** This package's version, reported as the instrumentation scope version of the helpers' spans. */
export const VERSION = '0.1.0';

/** The instrumentation scope name of the helpers' spans. */
export const SCOPE_NAME = '@mini-agent/otel';
