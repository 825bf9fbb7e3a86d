/** This exporter's name: its instrumentation scope on OTLP, and `x-langfuse-sdk-name` (never containing "langfuse": see the README). */
export const EXPORTER_NAME = 'mini-agent-otel';
/** This package's version, sent as the scope version and `x-langfuse-sdk-version`. */
export const EXPORTER_VERSION = '0.1.0';
