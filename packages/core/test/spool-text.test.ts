import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError, DeliveryPipeline, FileSpool, type AgentRecord, type RecordSink, type ToolExecutionRecord } from '../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A database that is down, then up, and keeps what it stored. */
class SwitchableSink implements RecordSink {
  readonly stored: AgentRecord[] = [];
  down = true;
  constructor(readonly name: string) {}
  async write(records: readonly AgentRecord[]): Promise<void> {
    if (this.down) throw new DeliveryError('connect ECONNREFUSED', true);
    this.stored.push(...records);
  }
  async shutdown(): Promise<void> {}
}

function decision(id: string, reasoning: string): AgentRecord {
  return { type: 'decision', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), id, decisionType: 'plan', options: ['ja', 'nein'], chosen: 'ja', reasoning, decidedAt: new Date(1_700_000_000_000) };
}

describe('spooled records come back as they went in', () => {
  it('plain and non-ASCII text alike, for every sink spooling the same batch', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'mini-agent-spool-text-'));
    dirs.push(spoolDir);
    const batch = [decision('d:1', 'plain ASCII reasoning'), decision('d:2', 'déjà vu → 🚀, 日本語, "quoted"\n')];
    const sinks = [new SwitchableSink('one'), new SwitchableSink('two')];
    const pipelines = sinks.map((sink) => new DeliveryPipeline(sink, { retry: { initialDelayMs: 1, maxDelayMs: 10 }, spoolDir }));
    for (const pipeline of pipelines) await pipeline.submit(batch);
    for (const pipeline of pipelines) expect(pipeline.stats()).toMatchObject({ spooled: 2, delivered: 0 });
    for (const sink of sinks) sink.down = false;
    for (const pipeline of pipelines) expect(await pipeline.flush(5_000)).toBe(true);
    for (const sink of sinks) expect(sink.stored).toEqual(batch);
  });
});

describe('spool frames are built record by record in a reused buffer', () => {
  function tool(i: number, payload: string): ToolExecutionRecord {
    return {
      type: 'tool',
      traceId: 'c'.repeat(32),
      spanId: i.toString(16).padStart(16, '0'),
      parentSpanId: null,
      sessionId: null,
      userId: null,
      name: 'read_file',
      toolName: 'read_file',
      category: 'file',
      callId: null,
      toolType: null,
      input: { path: `/notes-${i}.md`, text: payload },
      output: { ok: true, bytes: payload.length },
      success: true,
      errorMessage: null,
      startTime: new Date(1_700_000_000_000 + i),
      endTime: new Date(1_700_000_000_100 + i),
      durationMs: 100,
      metadata: {},
    };
  }

  it('each batch is spooled as the bytes JSON.stringify makes and replays exactly its own records, small and large batches alike', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'mini-agent-spool-frames-'));
    dirs.push(spoolDir);
    // A small batch, one past the encoder's first buffer (256 KiB), one past what it keeps (8 MiB), then small ones again:
    // each later frame overwrites the buffer an earlier one was written from.
    const batches = [
      [tool(1, 'short'), tool(2, 'é → 🚀')],
      [tool(3, 'x'.repeat(300_000)), tool(4, 'y')],
      [tool(5, 'z'.repeat(9 * 1024 ** 2)), tool(6, 'ü'.repeat(1000))],
      [tool(7, 'after the large one')],
      [tool(8, 'last'), tool(9, '日本語')],
    ];
    const sink = new SwitchableSink('frames');
    const pipeline = new DeliveryPipeline(sink, { retry: { initialDelayMs: 1, maxDelayMs: 10 }, spoolDir });
    for (const batch of batches) await pipeline.submit(batch);
    expect(pipeline.stats()).toMatchObject({ spooled: 9, delivered: 0 });
    await pipeline.shutdown(50);

    // The frames on disk, read with the spool itself: one a batch, each byte for byte JSON.stringify of it.
    const spool = new FileSpool({ dir: join(spoolDir, 'frames'), fsync: false });
    for (const batch of batches) {
      const entry = spool.peek();
      expect(entry).toBeDefined();
      expect(entry!.payload.equals(Buffer.from(JSON.stringify(batch), 'utf8'))).toBe(true);
      spool.commit(entry!.next);
    }
    expect(spool.peek()).toBeUndefined();
    spool.close();
  });

  it('replayed after the sink recovers: every record once, in order, with its Dates', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'mini-agent-spool-frames-'));
    dirs.push(spoolDir);
    const batches = [[tool(1, 'a'), tool(2, 'x'.repeat(400_000))], [tool(3, 'ß')], [tool(4, 'b'), tool(5, 'c')]];
    const sink = new SwitchableSink('replay');
    const pipeline = new DeliveryPipeline(sink, { retry: { initialDelayMs: 1, maxDelayMs: 10 }, spoolDir });
    for (const batch of batches) await pipeline.submit(batch);
    sink.down = false;
    expect(await pipeline.flush(5_000)).toBe(true);
    expect(sink.stored).toEqual(batches.flat());
    expect(pipeline.stats()).toMatchObject({ spooled: 5, replayed: 5, spoolBytes: 0 });
  });
});
