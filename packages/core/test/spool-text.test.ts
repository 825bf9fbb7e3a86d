import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError, DeliveryPipeline, type AgentRecord, type RecordSink } from '../src/index.js';

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
