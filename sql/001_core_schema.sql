-- mini-agent-otel core schema: one table per record kind of interpret().
--
-- Spans of one trace arrive in any order and in different batches, and a root span may never
-- arrive, so there are no foreign keys between these tables: every id is the OTel id (or derived
-- from it deterministically), and every write is INSERT ... ON CONFLICT, which makes
-- at-least-once delivery safe.
--
-- Runs on PostgreSQL 15 and on PGlite (PostgreSQL 18): plain SQL both accept.

CREATE SCHEMA IF NOT EXISTS mini_agent_observability;

-- One row per OTel trace. Created by the first span seen; completed by the session span.
CREATE TABLE IF NOT EXISTS mini_agent_observability.traces (
  id             text PRIMARY KEY,              -- OTel trace id, 32 hex
  session_id     text,
  agent_name     text,
  agent_version  text,
  user_id        text,
  user_context   jsonb,
  name           text,
  status         text NOT NULL DEFAULT 'unset', -- unset | ok | error
  status_message text,
  started_at     timestamptz,
  ended_at       timestamptz,
  input          jsonb,
  output         jsonb,
  tags           text[] NOT NULL DEFAULT '{}',
  environment    text,
  complete       boolean NOT NULL DEFAULT false, -- true once the session span has landed
  attributes     jsonb NOT NULL DEFAULT '{}',
  resource       jsonb NOT NULL DEFAULT '{}',
  inserted_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS mini_agent_observability.tool_executions (
  id             text PRIMARY KEY,              -- OTel span id, 16 hex
  trace_id       text NOT NULL,
  parent_span_id text,
  name           text NOT NULL,                 -- the span's name
  tool_name      text NOT NULL,
  category       text NOT NULL,                 -- core | file | mcp | document | skill | other
  input          jsonb,
  output         jsonb,
  success        boolean NOT NULL,
  error_message  text,
  started_at     timestamptz NOT NULL,
  ended_at       timestamptz NOT NULL,
  duration_ms    double precision NOT NULL,
  metadata       jsonb NOT NULL DEFAULT '{}',
  inserted_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS mini_agent_observability.performance_metrics (
  id           text PRIMARY KEY,                -- span id ':' event index
  trace_id     text NOT NULL,
  span_id      text NOT NULL,
  metric_type  text NOT NULL,
  metric_value double precision,                -- NULL when the value sent was not a finite number
  unit         text,
  recorded_at  timestamptz NOT NULL,
  metadata     jsonb NOT NULL DEFAULT '{}',
  inserted_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS mini_agent_observability.decisions (
  id                 text PRIMARY KEY,          -- span id, or span id ':' event index
  trace_id           text NOT NULL,
  span_id            text NOT NULL,
  decision_type      text NOT NULL,
  considered_options jsonb,
  chosen             text,
  reasoning          text,
  decided_at         timestamptz NOT NULL,
  inserted_at        timestamptz NOT NULL DEFAULT now()
);

-- Every span, whatever its kind: nothing a user sent is ever unqueryable.
CREATE TABLE IF NOT EXISTS mini_agent_observability.spans (
  span_id        text PRIMARY KEY,
  trace_id       text NOT NULL,
  parent_span_id text,
  name           text NOT NULL,
  kind           text NOT NULL,                 -- session | tool | decision | llm | step
  otel_kind      text NOT NULL,                 -- internal | server | client | producer | consumer
  status         text NOT NULL,
  status_message text,
  started_at     timestamptz NOT NULL,
  ended_at       timestamptz NOT NULL,
  duration_ms    double precision NOT NULL,
  attributes     jsonb NOT NULL DEFAULT '{}',
  events         jsonb NOT NULL DEFAULT '[]',
  links          jsonb NOT NULL DEFAULT '[]',
  resource       jsonb NOT NULL DEFAULT '{}',
  scope_name     text,
  scope_version  text,
  inserted_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS mini_agent_observability.generations (
  id                    text PRIMARY KEY,       -- OTel span id
  trace_id              text NOT NULL,
  parent_span_id        text,
  name                  text NOT NULL,
  model                 text,
  provider              text,
  input                 jsonb,
  output                jsonb,
  input_tokens          bigint,
  output_tokens         bigint,
  total_tokens          bigint,
  cached_tokens         bigint,
  reasoning_tokens      bigint,
  model_parameters      jsonb NOT NULL DEFAULT '{}',
  success               boolean NOT NULL,
  error_message         text,
  started_at            timestamptz NOT NULL,
  ended_at              timestamptz NOT NULL,
  duration_ms           double precision NOT NULL,
  completion_start_time timestamptz,
  inserted_at           timestamptz NOT NULL DEFAULT now()
);

-- Lookups by trace (session detail) and by time (every dashboard window).
CREATE INDEX IF NOT EXISTS traces_session_id_idx ON mini_agent_observability.traces (session_id);
CREATE INDEX IF NOT EXISTS traces_started_at_idx ON mini_agent_observability.traces (started_at);
CREATE INDEX IF NOT EXISTS tool_executions_trace_id_idx ON mini_agent_observability.tool_executions (trace_id);
CREATE INDEX IF NOT EXISTS tool_executions_started_at_idx ON mini_agent_observability.tool_executions (started_at);
CREATE INDEX IF NOT EXISTS performance_metrics_trace_id_idx ON mini_agent_observability.performance_metrics (trace_id);
CREATE INDEX IF NOT EXISTS decisions_trace_id_idx ON mini_agent_observability.decisions (trace_id);
CREATE INDEX IF NOT EXISTS spans_trace_id_idx ON mini_agent_observability.spans (trace_id);
CREATE INDEX IF NOT EXISTS generations_trace_id_idx ON mini_agent_observability.generations (trace_id);
