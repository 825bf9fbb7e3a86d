import type { AgentRecord, RecordSink } from '@mini-agent/core';

/** A sink that keeps what it gets, or fails every write when `failWith` is set. */
export class MemorySink implements RecordSink {
  readonly records: AgentRecord[] = [];
  shutdowns = 0;
  constructor(
    readonly name = 'memory',
    private readonly failWith?: Error,
  ) {}
  async write(records: readonly AgentRecord[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.records.push(...records);
  }
  async shutdown(): Promise<void> {
    this.shutdowns += 1;
  }
  of<T extends AgentRecord['type']>(type: T): Extract<AgentRecord, { type: T }>[] {
    return this.records.filter((r): r is Extract<AgentRecord, { type: T }> => r.type === type);
  }
}
