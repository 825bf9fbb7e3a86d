-- Supabase layer for cost (sql/060_cost.sql): model_prices gets the privileges, row-level
-- security and public view of alert_thresholds (configuration every reader may read; written by
-- service_role and the tables' owner), the cost functions the privileges of the other analytics
-- functions, and the public view of generations is made again to show the new columns.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 021 and 033.

ALTER TABLE mini_agent_observability.model_prices ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON mini_agent_observability.model_prices FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON mini_agent_observability.model_prices TO authenticated;
GRANT SELECT, INSERT, UPDATE ON mini_agent_observability.model_prices TO service_role;

-- Prices are configuration, not anyone's session: every reader reads them (as 033 reads rules).
DROP POLICY IF EXISTS mini_agent_reader_read ON mini_agent_observability.model_prices;
CREATE POLICY mini_agent_reader_read ON mini_agent_observability.model_prices FOR SELECT TO authenticated
  USING ((SELECT mini_agent_observability.reader_scope()) IN ('all', 'own'));
DROP POLICY IF EXISTS mini_agent_service_role_write ON mini_agent_observability.model_prices;
CREATE POLICY mini_agent_service_role_write ON mini_agent_observability.model_prices
  FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE OR REPLACE VIEW public.mini_agent_model_prices WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.model_prices;
REVOKE ALL ON public.mini_agent_model_prices FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.mini_agent_model_prices TO authenticated;
GRANT SELECT, INSERT, UPDATE ON public.mini_agent_model_prices TO service_role;

-- A view made with SELECT * keeps the columns its table had then; CREATE OR REPLACE keeps its grants.
CREATE OR REPLACE VIEW public.mini_agent_generations WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.generations;

REVOKE ALL ON FUNCTION
  mini_agent_observability.cost_by_session(timestamptz, timestamptz),
  mini_agent_observability.cost_by_user(timestamptz, timestamptz),
  mini_agent_observability.cost_by_agent_version(timestamptz, timestamptz),
  mini_agent_observability.cost_by_model(timestamptz, timestamptz),
  mini_agent_observability.cost_by_day(timestamptz, timestamptz, text),
  mini_agent_observability.unpriced_models(timestamptz, timestamptz),
  mini_agent_observability.ttft_by_model(timestamptz, timestamptz)
FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION
  mini_agent_observability.cost_by_session(timestamptz, timestamptz),
  mini_agent_observability.cost_by_user(timestamptz, timestamptz),
  mini_agent_observability.cost_by_agent_version(timestamptz, timestamptz),
  mini_agent_observability.cost_by_model(timestamptz, timestamptz),
  mini_agent_observability.cost_by_day(timestamptz, timestamptz, text),
  mini_agent_observability.unpriced_models(timestamptz, timestamptz),
  mini_agent_observability.ttft_by_model(timestamptz, timestamptz)
TO authenticated, service_role;
