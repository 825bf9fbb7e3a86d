import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, hasPostgres } from '../src/index.js';

describe.runIf(hasPostgres())('the PostgreSQL server of the run', () => {
  it('gives each suite its own empty database and drops it afterwards', async () => {
    const db = await createTestDatabase();
    const sql = postgres(db.url, { max: 1 });
    const [row] = await sql`select current_database() as name, current_setting('server_version_num')::int as version`;
    await sql.end();
    expect(row?.name).toBe(db.name);
    expect(row?.version).toBeGreaterThanOrEqual(150000);
    await db.drop();
  });
});
