-- What LLM calls cost: per generation, and per session, user, agent version, model and day.
--
-- generations (new columns; rows written before keep NULL):
--   uncached_input_tokens        input tokens neither read from nor written to the prompt cache
--   non_reasoning_output_tokens  output tokens other than reasoning tokens
--     With cached_tokens (cache read), cache_creation_tokens and reasoning_tokens, each priced
--     kind has its own column and each token is counted once. input_tokens and output_tokens
--     keep the GenAI meaning: totals that include the cache and reasoning tokens.
--   cost_usd      what the call cost in USD; NULL when it could not be priced
--   cost_details  jsonb: how the cost was made ({"source", "version", "usd": {per kind, total}};
--                 source '@pydantic/genai-prices', 'model_prices' or 'reported') or why there is
--                 none ({"reason": "unknown_model" | "no_model" | "no_usage" | "price_error", ...}).
--   The cost is computed once, when the span is interpreted, so every sink stores the same figure;
--   changing a price later does not change costs already stored.
--
-- model_prices: custom prices, over the price library's, for custom, fine-tuned and self-hosted
-- models or negotiated rates. USD per million tokens per kind; a kind without its own price costs
-- what input (cache) or output (reasoning) costs. `pattern` is a case-insensitive regular
-- expression on the model name; `provider` NULL matches any provider. A price applies from
-- valid_from (NULL: always) until valid_to (exclusive; NULL: open-ended). Where several apply,
-- a provider's own price wins over one for any provider, then the latest valid_from. Exporters
-- reload the table periodically (about once a minute); a new price applies to calls interpreted
-- after that.
--
-- Functions (since, until): cost_by_session, cost_by_user, cost_by_agent_version, cost_by_model,
-- cost_by_day, unpriced_models, ttft_by_model. cost_usd sums are numeric and leave unpriced calls
-- out; `unpriced` counts them, so a gap in the figures is never a silent $0.
--
-- The spend alert is in 074_spend_alert.sql.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 001, 010 and 030.

ALTER TABLE mini_agent_observability.generations ADD COLUMN IF NOT EXISTS uncached_input_tokens bigint;
ALTER TABLE mini_agent_observability.generations ADD COLUMN IF NOT EXISTS non_reasoning_output_tokens bigint;
ALTER TABLE mini_agent_observability.generations ADD COLUMN IF NOT EXISTS cost_usd numeric;
ALTER TABLE mini_agent_observability.generations ADD COLUMN IF NOT EXISTS cost_details jsonb;

CREATE TABLE IF NOT EXISTS mini_agent_observability.model_prices (
  id                          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pattern                     text NOT NULL,
  provider                    text,
  input_usd_per_mtok          numeric NOT NULL,
  output_usd_per_mtok         numeric NOT NULL,
  cache_read_usd_per_mtok     numeric,
  cache_creation_usd_per_mtok numeric,
  reasoning_usd_per_mtok      numeric,
  valid_from                  timestamptz,
  valid_to                    timestamptz,
  note                        text,
  updated_at                  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT model_prices_period_check CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from),
  CONSTRAINT model_prices_positive_check CHECK (
    input_usd_per_mtok >= 0 AND output_usd_per_mtok >= 0 AND coalesce(cache_read_usd_per_mtok, 0) >= 0
    AND coalesce(cache_creation_usd_per_mtok, 0) >= 0 AND coalesce(reasoning_usd_per_mtok, 0) >= 0)
);
-- One price per model pattern, provider and start: a second row for the same start is a mistake.
CREATE UNIQUE INDEX IF NOT EXISTS model_prices_unique_idx
  ON mini_agent_observability.model_prices (pattern, coalesce(provider, ''), coalesce(valid_from, '-infinity'::timestamptz));

-- A session's spend, per trace placed as session_stats places it (start, or insertion time
-- while the session span is missing).
CREATE OR REPLACE FUNCTION mini_agent_observability.cost_by_session(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  trace_id      text,
  session_id    text,
  user_id       text,
  agent_name    text,
  agent_version text,
  started_at    timestamptz,
  generations   bigint,
  unpriced      bigint,
  cost_usd      numeric
)
LANGUAGE sql STABLE
AS $$
  SELECT t.id, t.session_id, t.user_id, t.agent_name, t.agent_version, coalesce(t.started_at, t.inserted_at),
         count(g.id), count(g.id) FILTER (WHERE g.cost_usd IS NULL), coalesce(sum(g.cost_usd), 0)
    FROM mini_agent_observability.traces t
    JOIN mini_agent_observability.generations g ON g.trace_id = t.id
   WHERE coalesce(t.started_at, t.inserted_at) >= cost_by_session.since
     AND coalesce(t.started_at, t.inserted_at) < cost_by_session.until
   GROUP BY t.id
$$;

-- A user's spend over the traces of the window (as user_stats places them).
CREATE OR REPLACE FUNCTION mini_agent_observability.cost_by_user(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  user_id     text,
  sessions    bigint,
  generations bigint,
  unpriced    bigint,
  cost_usd    numeric
)
LANGUAGE sql STABLE
AS $$
  SELECT s.user_id, count(*), sum(s.generations)::bigint, sum(s.unpriced)::bigint, sum(s.cost_usd)
    FROM mini_agent_observability.cost_by_session(cost_by_user.since, cost_by_user.until) s
   WHERE s.user_id IS NOT NULL
   GROUP BY s.user_id
$$;

-- Spend per agent and version (the session's agent_version, from the span or service.version).
CREATE OR REPLACE FUNCTION mini_agent_observability.cost_by_agent_version(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  agent_name    text,
  agent_version text,
  sessions      bigint,
  generations   bigint,
  unpriced      bigint,
  cost_usd      numeric
)
LANGUAGE sql STABLE
AS $$
  SELECT s.agent_name, s.agent_version, count(*), sum(s.generations)::bigint, sum(s.unpriced)::bigint, sum(s.cost_usd)
    FROM mini_agent_observability.cost_by_session(cost_by_agent_version.since, cost_by_agent_version.until) s
   GROUP BY s.agent_name, s.agent_version
$$;

-- Spend and tokens per kind per model, for the generations started in the window.
CREATE OR REPLACE FUNCTION mini_agent_observability.cost_by_model(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  model                 text,
  provider              text,
  generations           bigint,
  unpriced              bigint,
  uncached_input_tokens bigint,
  cache_read_tokens     bigint,
  cache_creation_tokens bigint,
  output_tokens         bigint,
  reasoning_tokens      bigint,
  cost_usd              numeric
)
LANGUAGE sql STABLE
AS $$
  SELECT g.model, g.provider, count(*), count(*) FILTER (WHERE g.cost_usd IS NULL),
         coalesce(sum(g.uncached_input_tokens), 0)::bigint,
         coalesce(sum(g.cached_tokens), 0)::bigint,
         coalesce(sum(g.cache_creation_tokens), 0)::bigint,
         coalesce(sum(g.non_reasoning_output_tokens), 0)::bigint,
         coalesce(sum(g.reasoning_tokens), 0)::bigint,
         coalesce(sum(g.cost_usd), 0)
    FROM mini_agent_observability.generations g
   WHERE g.started_at >= cost_by_model.since
     AND g.started_at < cost_by_model.until
   GROUP BY g.model, g.provider
$$;

-- Spend per calendar day (in `time_zone`, default UTC) of the generations' start.
CREATE OR REPLACE FUNCTION mini_agent_observability.cost_by_day(
  since     timestamptz,
  until     timestamptz DEFAULT 'infinity',
  time_zone text DEFAULT 'UTC'
)
RETURNS TABLE (
  day         date,
  generations bigint,
  unpriced    bigint,
  cost_usd    numeric
)
LANGUAGE sql STABLE
AS $$
  SELECT (g.started_at AT TIME ZONE cost_by_day.time_zone)::date, count(*),
         count(*) FILTER (WHERE g.cost_usd IS NULL), coalesce(sum(g.cost_usd), 0)
    FROM mini_agent_observability.generations g
   WHERE g.started_at >= cost_by_day.since
     AND g.started_at < cost_by_day.until
   GROUP BY 1
$$;

-- The models that could not be priced, by name and reason: add them to model_prices.
CREATE OR REPLACE FUNCTION mini_agent_observability.unpriced_models(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  model       text,
  provider    text,
  reason      text,
  generations bigint,
  last_seen   timestamptz
)
LANGUAGE sql STABLE
AS $$
  SELECT g.model, g.provider, coalesce(g.cost_details->>'reason', 'not_priced'), count(*), max(g.started_at)
    FROM mini_agent_observability.generations g
   WHERE g.cost_usd IS NULL
     AND g.started_at >= unpriced_models.since
     AND g.started_at < unpriced_models.until
   GROUP BY 1, 2, 3
$$;

-- Time to first token per model: the streamed generations (completion_start_time known).
CREATE OR REPLACE FUNCTION mini_agent_observability.ttft_by_model(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  model    text,
  provider text,
  streamed bigint,
  p50_ms   double precision,
  p95_ms   double precision
)
LANGUAGE sql STABLE
AS $$
  SELECT g.model, g.provider, count(*),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM g.completion_start_time - g.started_at)::float8 * 1000),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM g.completion_start_time - g.started_at)::float8 * 1000)
    FROM mini_agent_observability.generations g
   WHERE g.completion_start_time IS NOT NULL
     AND g.started_at >= ttft_by_model.since
     AND g.started_at < ttft_by_model.until
   GROUP BY g.model, g.provider
$$;
