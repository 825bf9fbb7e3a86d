"""An agent as OpenInference users write it: the ``openai`` client instrumented by OpenInference,
the agent and its tool traced with OpenInference's own decorators, session and user from its
context helpers; spans exported by ``mini_agent_otel.configure()`` to the bridge.

Usage: python openinference_agent.py SESSION_ID   (OpenAI's API is a local fake: tests/support/fake_openai.py)
"""

import json
import sys
from pathlib import Path

from openai import OpenAI
from openinference.instrumentation import OITracer, TraceConfig, using_session, using_user
from openinference.instrumentation.openai import OpenAIInstrumentor
from opentelemetry import trace

from mini_agent_otel import configure

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from fake_openai import FakeOpenAI  # noqa: E402

telemetry = configure(service_name="weather-agent")
OpenAIInstrumentor().instrument(tracer_provider=telemetry.provider)
tracer = OITracer(trace.get_tracer("weather-agent"), config=TraceConfig())
server = FakeOpenAI()
client = OpenAI(base_url=server.base_url, api_key="sk-test-not-a-real-key-000000000000")
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]


@tracer.tool(name="get_weather")
def get_weather(city: str) -> dict:
    return {"city": city, "conditions": "sunny"}


@tracer.agent(name="weather-agent")
def weather_turn(question: str) -> str:
    messages = [{"role": "user", "content": question}]
    first = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS, temperature=0)
    call = first.choices[0].message.tool_calls[0]
    result = get_weather(**json.loads(call.function.arguments))
    messages += [first.choices[0].message.model_dump(exclude_none=True), {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)}]
    second = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS, temperature=0)
    return second.choices[0].message.content


with using_session(sys.argv[1]), using_user("oi-user-1"):
    print(weather_turn("Weather in Paris?"))
server.close()
