import { parseArgs } from 'node:util';
import { createSearchIndexes, dropSearchIndexes, SEARCH_INDEXES_SQL, type SearchIndexesResult } from '@mini-agent/dashboard';
import { CliError, ExitCode, type Command, type Io } from '../command.js';
import { databaseTarget, DATABASE_FLAGS, DATABASE_FLAGS_HELP } from '../database-target.js';
import { parsedOrUsageError } from '../parse.js';

const HELP = `Usage: mini-agent-otel search-indexes [--database-url URL] [--drop]

Builds the trigram (pg_trgm) indexes that make the dashboard's search over tool and LLM inputs,
outputs, errors and names fast on a PostgreSQL server or Supabase: a search of a month of 100,000
sessions takes a fifth of a second instead of seconds. Opt-in, because every row written
afterwards costs its trigram extraction (writes of tool calls get several times slower). Without
them, and always on the embedded PGlite database, the search scans the time window instead.

Run it as the tables' owner, like migrate; it creates the pg_trgm extension when it is available
and not installed yet (in the extensions schema on Supabase). Idempotent. Building holds writes
to those tables while it runs (about a minute per million tool calls). The same SQL, for psql or
Supabase's SQL editor: ${SEARCH_INDEXES_SQL}

Options:
${DATABASE_FLAGS_HELP}
  --drop              Drop the indexes instead (the search scans again, writes get cheaper)
  -h, --help          Show this help

Examples:
  mini-agent-otel search-indexes
  mini-agent-otel search-indexes --database-url "$SUPABASE_DB_URL"`;

/** `search-indexes`: the dashboard search's trigram indexes, built or dropped. */
export const searchIndexesCommand: Command = {
  name: 'search-indexes',
  summary: "Build (or --drop) the trigram indexes that make the dashboard's search fast",
  help: HELP,
  async run(args, io) {
    const { values } = parsedOrUsageError('search-indexes', () =>
      parseArgs({ args: [...args], options: { ...DATABASE_FLAGS, drop: { type: 'boolean' } }, strict: true, allowPositionals: false }),
    );
    const target = databaseTarget(values);
    if (target.kind === 'pglite') {
      throw new CliError(`${target.label}: the embedded PGlite database gets no search index (its pg_trgm is loaded per process); its search scans the window. Give --database-url for a server`, ExitCode.USAGE);
    }
    io.out(`${values.drop ? 'Dropping' : 'Building'} the search indexes of ${target.label}`);
    let result: SearchIndexesResult;
    try {
      result = await (values.drop ? dropSearchIndexes(target.url) : createSearchIndexes(target.url));
    } catch (error) {
      throw new CliError(error instanceof Error ? error.message : String(error));
    }
    printResult(result, io);
    return !values.drop && result.indexes.length === 0 ? ExitCode.FAILED : ExitCode.OK;
  },
};

function printResult(result: SearchIndexesResult, io: Io): void {
  for (const notice of result.notices) io.out(`  note: ${notice}`);
  io.out(result.indexes.length > 0 ? `  in place: ${result.indexes.join(', ')}` : '  no search index in place: the search scans the window');
  io.out(`  took ${(result.millis / 1000).toFixed(1)} s`);
}
