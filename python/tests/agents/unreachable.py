"""An agent whose endpoint is down: it must run on, and the loss be said once.

Prints the tools' results and the delivery counts as JSON.
"""

import json

from mini_agent_otel import configure, session, tool

telemetry = configure(service_name="offline-agent")


@tool(category="core")
def add(a: int, b: int) -> int:
    return a + b


results = []
for batch in range(3):
    with session(f"batch {batch}"):
        results.append(add(batch, 1))
    telemetry.force_flush()  # each batch is one failed export
print(json.dumps({"results": results, "stats": telemetry.stats()}))
