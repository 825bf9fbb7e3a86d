import { parseArgs } from 'node:util';
import { Interpreter } from '@mini-agent/core';
import { createPostgresSink } from '@mini-agent/exporter-postgres';
import { isScoreDataType, isScoreSource, ScoreDataTypes, type ScoreDataType, type ScoreSource } from '@mini-agent/semconv';
import { CliError, ExitCode, type Command } from '../command.js';
import { databaseErrorLine, databaseTarget, DATABASE_FLAGS, DATABASE_FLAGS_HELP, openTarget } from '../database-target.js';
import { migrateOptionOf, MIGRATE_FLAGS, MIGRATE_FLAGS_HELP } from '../migrate-flag.js';
import { parsedOrUsageError } from '../parse.js';

const HELP = `Usage: mini-agent-otel score <trace-id> <name>=<value> [--comment TEXT] [--span SPAN_ID]
                             [--id ID] [--type numeric|categorical|boolean] [--author WHO]
                             [--source api|annotation|evaluation] [--database-url URL | --data-dir DIR]

Adds a score to a session after the fact — a user's feedback from a support tool, a verdict of a
judge run by cron — writing straight to the database (the scores table). The value is a number
(helpfulness=0.8), true or false (resolved=true: a boolean score, stored as 1 or 0), or any other
text (verdict=pass: a categorical score). A score given again with the same --id replaces the
first; without --id every call adds a new score.

Arguments:
  <trace-id>          The session's trace id (32 hex characters), as report and the dashboard show it
  <name>=<value>      The score's name and value

Options:
  --comment TEXT      Why: the user's words, the judge's reasoning (stored as the explanation)
  --span SPAN_ID      Score one span of the trace (16 hex characters) instead of the whole session
  --id ID             The score's id; the same id again updates the score. Default: a new UUID
  --type TYPE         numeric, categorical or boolean. Default: from the value
  --author WHO        Who gave the score (a user id, a reviewer, a judge model)
  --source SOURCE     api (default), annotation (a person reviewed it) or evaluation (a judge)
${DATABASE_FLAGS_HELP}
${MIGRATE_FLAGS_HELP}
  -h, --help          Show this help

Exit codes: 0 the score was stored, 1 it could not be (refused, or the database failed), 2 the
command line was wrong.

Examples:
  mini-agent-otel score 4bf92f3577b34da6a3ce929d0e0e4736 helpfulness=0.2 --comment "answer was off-topic"
  mini-agent-otel score 4bf92f3577b34da6a3ce929d0e0e4736 thumbs_up=false --author user-42 --id feedback-1234`;

const TRACE_ID = /^[0-9a-f]{32}$/i;
const SPAN_ID = /^[0-9a-f]{16}$/i;

/** `score`: one judgment added to a stored session (or one of its spans). */
export const scoreCommand: Command = {
  name: 'score',
  summary: "Add a score (feedback, a judge's verdict) to a session or span in the database",
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parsedOrUsageError('score', () =>
      parseArgs({
        args: [...args],
        options: {
          ...DATABASE_FLAGS,
          ...MIGRATE_FLAGS,
          comment: { type: 'string' },
          span: { type: 'string' },
          id: { type: 'string' },
          type: { type: 'string' },
          author: { type: 'string' },
          source: { type: 'string' },
        },
        strict: true,
        allowPositionals: true,
      }),
    );
    const [traceId, assignment, ...extra] = positionals;
    if (traceId === undefined || assignment === undefined || extra.length > 0) {
      throw new CliError('give a trace id and one name=value, e.g. score 4bf92f3577b34da6a3ce929d0e0e4736 helpfulness=0.8. See: mini-agent-otel score --help', ExitCode.USAGE);
    }
    if (!TRACE_ID.test(traceId)) throw new CliError(`'${traceId}' is not a trace id (32 hex characters)`, ExitCode.USAGE);
    if (values.span !== undefined && !SPAN_ID.test(values.span)) throw new CliError(`--span '${values.span}' is not a span id (16 hex characters)`, ExitCode.USAGE);
    if (values.type !== undefined && !isScoreDataType(values.type)) throw new CliError(`--type must be numeric, categorical or boolean, got '${values.type}'`, ExitCode.USAGE);
    if (values.source !== undefined && !isScoreSource(values.source)) throw new CliError(`--source must be api, annotation or evaluation, got '${values.source}'`, ExitCode.USAGE);
    const { name, value, label } = parseAssignment(assignment, values.type);

    const interpreter = new Interpreter();
    const record = interpreter.score({
      traceId,
      spanId: values.span ?? null,
      name,
      value,
      label,
      explanation: values.comment,
      dataType: values.type,
      source: values.source as ScoreSource | undefined,
      author: values.author ?? null,
      ...(values.id !== undefined ? { id: values.id } : {}),
    });
    if (record.type === 'rejected') throw new CliError(`score refused: ${record.message}`);

    const target = databaseTarget(values);
    const open = await openTarget(target);
    const sink = createPostgresSink({ ...open.sinkOptions, ...migrateOptionOf(values['no-migrate']) });
    try {
      await sink.ready;
      const traces = await open.reader.query('SELECT session_id FROM mini_agent_observability.traces WHERE id = $1', [record.traceId]);
      const sessionId = (traces[0]?.session_id as string | null | undefined) ?? null;
      await sink.write([{ ...record, sessionId }]);
      const on = record.targetSpanId ? `span ${record.targetSpanId} of trace ${record.traceId}` : `trace ${record.traceId}`;
      io.out(`stored score ${record.name} = ${record.label ?? record.value} (${record.dataType}) on ${on} in ${target.label}, id ${record.id}`);
      if (traces.length === 0) io.err(`note: trace ${record.traceId} is not in ${target.label} (yet); the score is stored and shows once its spans arrive`);
      return ExitCode.OK;
    } catch (error) {
      throw new CliError(`could not store the score: ${databaseErrorLine(error)}`);
    } finally {
      await sink.shutdown().catch(() => {});
      await open.close().catch(() => {});
    }
  },
};

/** `name=value`: a number, true/false, or text (a category). `--type` says what the text means. */
function parseAssignment(text: string, type: ScoreDataType | string | undefined): { name: string; value?: number | boolean; label?: string } {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) {
    throw new CliError(`'${text}' is not name=value (e.g. helpfulness=0.8, resolved=true, verdict=pass)`, ExitCode.USAGE);
  }
  const name = text.slice(0, at).trim();
  const raw = text.slice(at + 1).trim();
  if (raw === 'true' || raw === 'false') return type === ScoreDataTypes.CATEGORICAL ? { name, label: raw } : { name, value: raw === 'true' };
  const number = Number(raw);
  if (type === ScoreDataTypes.CATEGORICAL) return { name, label: raw };
  if (Number.isFinite(number)) return { name, value: number };
  if (type === ScoreDataTypes.NUMERIC || type === ScoreDataTypes.BOOLEAN) {
    throw new CliError(`the value '${raw}' of ${name} is not a finite number, as --type ${type} needs`, ExitCode.USAGE);
  }
  return { name, label: raw };
}
