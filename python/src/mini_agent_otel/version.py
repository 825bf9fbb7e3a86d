"""The package's version and instrumentation scope name."""

__version__ = "0.1.0"

#: The instrumentation scope of the spans the helpers start.
SCOPE_NAME = "mini_agent_otel"
