export { createTestDatabase, hasPostgres, postgresAdminUrl, type TestDatabase } from './databases.js';
export { findPostgresBinaries, freePort, startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.js';
export { globalTracer, recordSpans } from './spans.js';
export { createTestPglite } from './pglite.js';
