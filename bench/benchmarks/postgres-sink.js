// 2. Postgres sink throughput: the agent workload's records written by the sink (one idempotent
// transaction a batch) into a real server, against raw COPY … FROM STDIN of the same rows into the
// same tables with the same driver, in transactions of the same size. Several batch sizes, so the
// size the pipeline uses is chosen from measurements.
import { Interpreter } from '@mini-agent/core';
import { createPostgresSink } from '@mini-agent/exporter-postgres';
import { copyBatch, copyBatchBinary, newRowsPerBatch } from '../lib/copy-text.js';
import { cpuMs, fmt, formatStat, interleave, pairedRatio, progress, QUICK, summarize, wallMs, writeResult } from '../lib/measure.js';
import { backendCpuMs, connectDriver, countRows, createDatabase, truncateAll } from '../lib/postgres.js';
import { chunk, recordWorkload } from '../lib/workload.js';

const NAME = 'postgres-sink';
const SPANS = QUICK ? 8_000 : 12_000;
const BATCH_SIZES = QUICK ? [512, 2048] : [512, 2048, 8192]; // spans per transaction
const HEADLINE_BATCH = 2048; // what the bridge hands the sink (its default export batch)
const ROUNDS = QUICK ? 3 : 4;

const database = await createDatabase('sink');
const admin = connectDriver(database.url);
const copySql = connectDriver(database.url);
const sink = createPostgresSink({ databaseUrl: database.url });
await sink.ready;

progress(NAME, `recording ${SPANS.toLocaleString('en-US')} spans of the agent workload and interpreting them (untimed)`);
const spans = recordWorkload(SPANS);
const interpreter = new Interpreter();

/** A variant's round: truncate (untimed), write every batch, count rows; wall, client and server CPU. */
function variant(write) {
  return async () => {
    await truncateAll(admin);
    const server0 = await backendCpuMs(admin, database.name);
    const w0 = wallMs();
    const c0 = cpuMs();
    await write();
    const wall = wallMs() - w0;
    const cpu = cpuMs() - c0;
    const server1 = await backendCpuMs(admin, database.name);
    const rows = (await countRows(admin)).total;
    return { units: rows, wallMs: wall, cpuMs: cpu, serverCpuMs: server0 === null || server1 === null ? null : server1 - server0 };
  };
}

const sweep = {};
for (const size of BATCH_SIZES) {
  const batches = chunk(spans, size).map((batch) => batch.flatMap((span) => interpreter.interpret(span)));
  const copyTables = newRowsPerBatch(batches);
  progress(NAME, `batch of ${size} spans (${fmt(batches[0].length / size, 2)} records a span): ${ROUNDS} rounds, interleaved`);
  const results = await interleave(
    `${NAME} ${size}`,
    {
      sink: variant(async () => {
        for (const records of batches) await sink.write(records);
      }),
      copy: variant(async () => {
        for (const tables of copyTables) await copyBatch(copySql, tables);
      }),
      'copy-binary': variant(async () => {
        for (const tables of copyTables) await copyBatchBinary(copySql, tables);
      }),
    },
    { warmup: 1, rounds: ROUNDS, unit: 'row' },
  );
  const rowsSink = results.sink.rounds[0].units;
  const rowsCopy = results.copy.rounds[0].units;
  if (rowsSink !== rowsCopy) throw new Error(`the sink stored ${rowsSink} rows and COPY ${rowsCopy}: not the same rows`);
  const ratio = pairedRatio(results.copy, results.sink, (s) => s.wallMs); // throughput ratio = copy time / sink time
  const binaryRatio = pairedRatio(results['copy-binary'], results.sink, (s) => s.wallMs);
  const serverPerRow = (v) => summarize(results[v].rounds.filter((s) => s.serverCpuMs !== null).map((s) => (s.serverCpuMs * 1000) / s.units));
  sweep[size] = {
    rows: rowsSink,
    rowsPerSpan: rowsSink / spans.length,
    sinkRowsPerSecond: results.sink.unitsPerSecond,
    copyRowsPerSecond: results.copy.unitsPerSecond,
    copyBinaryRowsPerSecond: results['copy-binary'].unitsPerSecond,
    ratio,
    binaryRatio,
    clientCpuUsPerRow: { sink: results.sink.cpuUsPerUnit, copy: results.copy.cpuUsPerUnit, copyBinary: results['copy-binary'].cpuUsPerUnit },
    serverCpuUsPerRow: { sink: serverPerRow('sink'), copy: serverPerRow('copy'), copyBinary: serverPerRow('copy-binary') },
    results,
  };
  progress(
    NAME,
    `batch ${size}: sink ${formatStat(results.sink.unitsPerSecond, ' rows/s', 0)}, COPY ${formatStat(results.copy.unitsPerSecond, ' rows/s', 0)}, ` +
      `ratio ${formatStat(ratio, '', 2)} (vs binary COPY ${formatStat(binaryRatio, '', 2)}); ` +
      `server CPU a row: sink ${fmt(sweep[size].serverCpuUsPerRow.sink.median)} µs, COPY ${fmt(sweep[size].serverCpuUsPerRow.copy.median)} µs, binary COPY ${fmt(sweep[size].serverCpuUsPerRow.copyBinary.median)} µs; ` +
      `client CPU a row: sink ${fmt(results.sink.cpuUsPerUnit.median)} µs, COPY ${fmt(results.copy.cpuUsPerUnit.median)} µs, binary COPY ${fmt(results['copy-binary'].cpuUsPerUnit.median)} µs`,
  );
}

await sink.shutdown();
await admin.end();
await copySql.end();
await database.drop();

const headline = sweep[HEADLINE_BATCH] ?? sweep[BATCH_SIZES.at(-1)];
const best = Object.entries(sweep).sort((a, b) => b[1].sinkRowsPerSecond.median - a[1].sinkRowsPerSecond.median)[0];
writeResult(NAME, {
  title: 'Postgres sink throughput vs raw COPY of the same rows',
  baseline: 'COPY … FROM STDIN (text format; binary format informational), same driver (noDelay socket), same tables, same transaction size',
  spans: spans.length,
  sweep,
  ratios: [
    { label: `sink rows/s vs raw COPY (${HEADLINE_BATCH}-span batches)`, value: headline.ratio.median, spread: headline.ratio.spread, target: 0.7, better: 'higher' },
    { label: '  … vs raw COPY in binary format', value: headline.binaryRatio.median, spread: headline.binaryRatio.spread, target: 0.7, better: 'higher', informational: true },
    ...Object.entries(sweep)
      .filter(([size]) => Number(size) !== HEADLINE_BATCH)
      .map(([size, s]) => ({ label: `  … in ${size}-span batches`, value: s.ratio.median, spread: s.ratio.spread, target: 0.7, better: 'higher', informational: true })),
  ],
  notes: [
    `sink ${fmt(headline.sinkRowsPerSecond.median, 0)} rows/s, COPY ${fmt(headline.copyRowsPerSecond.median, 0)} rows/s at ${HEADLINE_BATCH} spans a batch; fastest sink batch: ${best[0]} spans`,
  ],
});
