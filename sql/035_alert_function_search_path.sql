-- A fixed search_path for the alert functions whose planning it cannot change.
--
-- Supabase's database linter (Security Advisor, lint function_search_path_mutable) warns about
-- every function without a `search_path` setting: a function that resolves names through the
-- caller's search_path could be pointed at a caller's own objects. Every name in these files is
-- schema-qualified already, so the setting only makes that explicit, but a SET clause also stops
-- PostgreSQL from inlining a LANGUAGE sql function into the calling query, which the analytics
-- functions of 010_analytics.sql rely on (docs/supabase.md has the measurements). So it is set
-- only where it costs nothing:
--   alert_status   PL/pgSQL, never inlined; it already carries a SET clause (plan_cache_mode).
--   firing_alerts  a filter over alert_status, which the planner cannot look into either way.
-- The remaining functions keep their inlining; docs/supabase.md lists them with the reason.
--
-- Re-running 011_alerts.sql (CREATE OR REPLACE) drops these settings again: run the files in
-- order, as `migrate` does. Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 011.

ALTER FUNCTION mini_agent_observability.alert_status(timestamptz, timestamptz) SET search_path = '';
ALTER FUNCTION mini_agent_observability.firing_alerts(timestamptz, timestamptz) SET search_path = '';
