import type { AgentRecord } from '../records.js';
import { decodeRecords } from './record-codec.js';
import type { FileSpool, SpoolPosition } from './spool.js';

/** The oldest held batch, as the pipeline delivers it (from memory or from the spool). */
export interface HeldBatch {
  readonly records: readonly AgentRecord[];
  readonly fromSpool: boolean;
  /** Delivered or refused: it is no longer held. */
  done(): void;
  /** Only these records are left to deliver (a partial failure). */
  replace(records: readonly AgentRecord[]): void;
  /** True when `drop-oldest` deleted the batch from the spool while it was being written. */
  readonly evicted: boolean;
  /** The attempt at it is over (whatever its outcome). */
  settle(): void;
}

/**
 * The spool's oldest frame for the pipeline: decoded at each attempt (nothing of it stays in memory
 * between attempts), except what is left of it after a partial failure, so a retry resends only
 * that; and whether `drop-oldest` took it off the disk while it was being written, so that it is
 * counted once: delivered if that write succeeds, dropped if not.
 */
export class SpoolHead {
  /** What is left of the oldest frame after a partial failure: at most one frame's records. */
  private left: { position: SpoolPosition; records: readonly AgentRecord[]; frameRecords: number } | undefined;
  /** The frame being written, and whether its segment was dropped meanwhile. */
  private writing: { position: SpoolPosition; frameRecords: number; evicted: boolean } | undefined;

  constructor(
    private readonly spool: FileSpool,
    /** Called for a frame that passed its checksum but does not decode; it is skipped. */
    private readonly onUndecodable: () => void,
  ) {}

  /** The oldest frame not yet delivered, or undefined when the spool is empty. */
  next(): HeldBatch | undefined {
    for (;;) {
      const entry = this.spool.peek();
      if (!entry) return undefined;
      // Only the position is kept, not the frame's bytes: they are decoded already.
      const position = entry.next;
      const left = this.left && samePosition(this.left.position, position) ? this.left : undefined;
      let records: readonly AgentRecord[];
      try {
        records = left ? left.records : decodeRecords(entry.payload);
      } catch {
        // Written by another version? Counted by the caller, skipped.
        this.onUndecodable();
        this.spool.commit(position);
        continue;
      }
      return this.batch(position, records, left?.frameRecords ?? records.length);
    }
  }

  /**
   * Of the records `drop-oldest` just deleted, those not lost by it, for the caller to leave out of
   * what it counts as dropped: the frame being written (that write still decides: delivered, or
   * dropped then), and of a frame a partial failure left, the part already delivered or refused.
   */
  claimEvicted(): number {
    let notLost = 0;
    const writing = this.writing;
    if (writing && !writing.evicted && this.spool.isCommitted(writing.position)) {
      writing.evicted = true;
      notLost += writing.frameRecords;
    }
    const left = this.left;
    if (left && this.spool.isCommitted(left.position)) {
      this.left = undefined;
      // Being written, it was counted whole just above.
      if (!writing || !samePosition(writing.position, left.position)) notLost += left.frameRecords - left.records.length;
    }
    return notLost;
  }

  private batch(position: SpoolPosition, first: readonly AgentRecord[], frameRecords: number): HeldBatch {
    let records = first;
    const writing = { position, frameRecords, evicted: false };
    this.writing = writing;
    const head = this;
    return {
      get records() {
        return records;
      },
      fromSpool: true,
      get evicted() {
        return writing.evicted;
      },
      done: () => {
        head.left = undefined;
        head.spool.commit(position);
      },
      replace: (remaining) => {
        records = remaining;
        head.left = { position, records: remaining, frameRecords };
      },
      settle: () => {
        if (head.writing === writing) head.writing = undefined;
      },
    };
  }
}

function samePosition(a: SpoolPosition, b: SpoolPosition): boolean {
  return a.segment === b.segment && a.offset === b.offset;
}
