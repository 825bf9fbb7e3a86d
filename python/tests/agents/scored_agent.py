"""An agent that scores its own session: record_score() inside session(), exported to the bridge.

Usage: python scored_agent.py SESSION_ID   (prints the refusals it saw, as JSON)
"""

import json
import sys

from mini_agent_otel import configure, record_score, score_stats, session

telemetry = configure(service_name="scored-agent")

with session("scored session", session_id=sys.argv[1]):
    record_score("helpfulness", 0.75, label="good", explanation="judge: complete answer", id=f"{sys.argv[1]}-judge")
    record_score("resolved", True)
    record_score("helpfulness", float("nan"))

telemetry.shutdown()
print(json.dumps(score_stats().rejected))
