"""An agent instrumented with Langfuse's own Python SDK (5.x), its OTLP pointed at the bridge.

Usage: python langfuse_agent.py SESSION_ID   (BRIDGE_BASE_URL and MINI_AGENT_BRIDGE_TOKEN in the environment)
"""

import os
import sys
from pathlib import Path

from langfuse import Langfuse, propagate_attributes
from langfuse.openai import OpenAI

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from fake_openai import FakeOpenAI  # noqa: E402

# Langfuse exports OTLP/HTTP to {base_url}/{LANGFUSE_OTEL_TRACES_EXPORT_PATH}; the bridge takes a
# bearer token, which replaces the SDK's Basic auth header.
os.environ["LANGFUSE_OTEL_TRACES_EXPORT_PATH"] = "v1/traces"
langfuse = Langfuse(
    public_key="pk-lf-local",
    secret_key="sk-lf-local",
    base_url=os.environ["BRIDGE_BASE_URL"],
    additional_headers={"Authorization": f"Bearer {os.environ['MINI_AGENT_BRIDGE_TOKEN']}"},
    release="1.4.0",
)

with langfuse.start_as_current_observation(name="support-agent", as_type="agent", input={"question": "Can I get a refund for A-17?"}) as agent:
    with propagate_attributes(session_id=sys.argv[1], user_id="lf-user-1", trace_name="refund-request", tags=["beta"]):
        with langfuse.start_as_current_observation(
            name="llm-call",
            as_type="generation",
            model="gpt-4o",
            input=[{"role": "user", "content": "refund A-17?"}],
            model_parameters={"temperature": 0.1},
        ) as generation:
            generation.update(output={"role": "assistant", "content": "checking the order"}, usage_details={"input": 80, "output": 30, "total": 110})
        # Langfuse's drop-in OpenAI client records the call as a generation with OpenAI's usage shape.
        server = FakeOpenAI()
        OpenAI(base_url=server.base_url, api_key="sk-test-local").chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Weather in Paris?"}], name="weather-call"
        )
        server.close()
        with langfuse.start_as_current_observation(name="lookup_order", as_type="tool", input={"order": "A-17"}) as lookup:
            lookup.update(output={"status": "delivered"})
        with langfuse.start_as_current_observation(name="issue_refund", as_type="tool", input={"order": "A-17"}) as refund:
            refund.update(level="ERROR", status_message="refund window closed")
        agent.update(output="Sorry, the refund window is closed.")
langfuse.flush()
langfuse.shutdown()
