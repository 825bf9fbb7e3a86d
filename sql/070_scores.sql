-- Scores: judgments of a span or of a whole session (an LLM judge's verdict, a user's thumbs-down,
-- a test's pass/fail). One row per score, keyed by trace first like every span-derived table:
--   id            `<span id>:<event index>` for a gen_ai.evaluation.result event, `<span id>:<name>:<identifier>`
--                 (or `<span id>:<list>.<index>`) for an OpenInference annotation/evaluation, or the caller's id
--   span_id       the span judged; NULL when the score is about the whole session (trace)
--   carrier_span_id  the span whose event or attributes carried it (NULL for a score given directly)
--   data_type     numeric | categorical | boolean (boolean values are 0 or 1)
--   value         the number (NULL for a categorical score), label its category (or the label a judge gave a number)
--   source        evaluation (an evaluation event or judge) | api (recordScore, the CLI) | annotation (a human)
--   created_at    when the score was given; updated_at when its row last changed
-- Writes upsert on (trace_id, id): a span delivered twice gives the same row, and a score given
-- again with the same id replaces the earlier one (feedback a user changed their mind about).
-- Idempotent; runs on PostgreSQL 15 and PGlite (18).

CREATE TABLE IF NOT EXISTS mini_agent_observability.scores (
  trace_id        text NOT NULL,
  id              text NOT NULL,
  span_id         text,
  carrier_span_id text,
  session_id      text,
  name            text NOT NULL,
  data_type       text NOT NULL,
  value           double precision,
  label           text,
  explanation     text,
  source          text NOT NULL DEFAULT 'api',
  author          text,
  metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  inserted_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT scores_pkey PRIMARY KEY (trace_id, id),
  CONSTRAINT scores_data_type_check CHECK (data_type IN ('numeric', 'categorical', 'boolean')),
  CONSTRAINT scores_source_check CHECK (source IN ('evaluation', 'api', 'annotation')),
  CONSTRAINT scores_boolean_check CHECK (data_type <> 'boolean' OR value IN (0, 1)),
  CONSTRAINT scores_value_check CHECK (value IS NOT NULL OR label IS NOT NULL)
);

-- Analytics read scores by name over a time window; the session page by trace (the key's prefix).
CREATE INDEX IF NOT EXISTS scores_name_created_at_idx ON mini_agent_observability.scores (name, created_at);
CREATE INDEX IF NOT EXISTS scores_created_at_idx ON mini_agent_observability.scores (created_at);
CREATE INDEX IF NOT EXISTS scores_session_id_idx ON mini_agent_observability.scores (session_id) WHERE session_id IS NOT NULL;
