import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** What {@link FileSpool} does when appending would pass `maxBytes`. */
export type SpoolFullPolicy = 'reject-new' | 'drop-oldest';

/** Options of a {@link FileSpool}. */
export interface FileSpoolOptions {
  /** The folder holding this spool's segments and cursor (one folder per sink). */
  readonly dir: string;
  /** Most bytes on disk before the full policy applies. Default 1 GiB. */
  readonly maxBytes?: number;
  /** Default `reject-new`: what is already spooled was acknowledged, so it is kept. */
  readonly whenFull?: SpoolFullPolicy;
  /** Segment size at which a new file starts. Default 64 MiB, or a quarter of `maxBytes` when smaller. */
  readonly segmentBytes?: number;
  /** `fsync` each append before acknowledging it. Default true. */
  readonly fsync?: boolean;
}

/** One spooled entry and where the next one starts. */
export interface SpoolEntry {
  readonly payload: Buffer;
  /** Pass to {@link FileSpool.commit} once the payload is delivered. */
  readonly next: SpoolPosition;
}

/** A place in the spool: segment number and byte offset. */
export interface SpoolPosition {
  readonly segment: number;
  readonly offset: number;
}

/** What an append did. */
export interface SpoolAppendResult {
  /** False when the spool was full (nothing was written). */
  readonly written: boolean;
  /** Payloads deleted unread to make room (`drop-oldest`), for the caller to count. */
  readonly dropped: readonly Buffer[];
}

// Frame: [u32 payload length][u32 crc32 of payload][payload]. A torn tail (short frame or CRC
// mismatch after a crash) is detected on read and skipped, never blocking replay.
const HEADER = 8;
const CURSOR = 'cursor.json';
// No frame is ever this large (a batch is split long before): a bigger length is garbage.
const MAX_FRAME = 1024 ** 3;

/**
 * An append-only, crash-safe spool of opaque payloads on disk, read in the order written.
 *
 * Hand-written rather than taken from a package: what is needed (fsync'd appends, CRC-framed
 * records, a committed read cursor, a byte bound) is small, and the embedded queues on npm are
 * either in-memory or bring a database engine.
 */
export class FileSpool {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly whenFull: SpoolFullPolicy;
  private readonly segmentBytes: number;
  private readonly fsync: boolean;
  private cursor: SpoolPosition;
  private writeSegment: number;
  private writeOffset: number;
  private writeFd: number | undefined;
  private readFd: { segment: number; fd: number } | undefined;
  /** Bytes each segment file holds (kept in step with appends, so no stat per append). */
  private readonly sizes = new Map<number, number>();
  private pending: number;
  /** Frames found torn or corrupt while opening or reading, skipped. */
  tornFrames = 0;

  constructor(options: FileSpoolOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? 1024 ** 3;
    this.whenFull = options.whenFull ?? 'reject-new';
    this.segmentBytes = options.segmentBytes ?? Math.max(1, Math.min(64 * 1024 ** 2, Math.floor(this.maxBytes / 4)));
    this.fsync = options.fsync ?? true;
    mkdirSync(this.dir, { recursive: true });
    const segments = this.segments();
    this.cursor = this.readCursor(segments);
    for (const segment of segments) {
      if (segment < this.cursor.segment) rmSync(this.segmentPath(segment), { force: true });
      else this.sizes.set(segment, statSync(this.segmentPath(segment)).size);
    }
    this.writeSegment = Math.max(this.cursor.segment, segments.at(-1) ?? 0);
    const path = this.segmentPath(this.writeSegment);
    this.writeOffset = existsSync(path) ? this.validLength(path) : 0;
    this.sizes.set(this.writeSegment, this.writeOffset);
    if (this.cursor.segment === this.writeSegment && this.cursor.offset > this.writeOffset) {
      // The cursor points past a tail that was cut as torn: nothing there is left to read.
      this.cursor = { segment: this.writeSegment, offset: this.writeOffset };
    }
    this.pending = this.measurePending();
  }

  /** Bytes on disk not yet committed as delivered. */
  get pendingBytes(): number {
    return this.pending;
  }

  /** True when nothing is waiting to be replayed. */
  get isEmpty(): boolean {
    return this.cursor.segment === this.writeSegment && this.cursor.offset >= this.writeOffset;
  }

  /**
   * Appends one payload and (by default) fsyncs it before returning. When it does not fit: under
   * `reject-new` nothing is written; under `drop-oldest` whole old segments are deleted to make
   * room, and their payloads returned in `dropped` so the caller can count what was lost.
   */
  append(payload: Buffer): SpoolAppendResult {
    // Read back, a longer frame would be taken for garbage (see MAX_FRAME): refuse it now, loudly.
    if (payload.length > MAX_FRAME) throw new RangeError(`a payload of ${payload.length} bytes is over the spool's frame limit of ${MAX_FRAME} bytes`);
    const frameBytes = HEADER + payload.length;
    let dropped: Buffer[] = [];
    if (this.pending + frameBytes > this.maxBytes) {
      if (this.whenFull === 'reject-new') return { written: false, dropped };
      dropped = this.dropOldest(frameBytes);
      if (this.pending + frameBytes > this.maxBytes) return { written: false, dropped };
    }
    if (this.writeOffset > 0 && this.writeOffset + frameBytes > this.segmentBytes) this.rotate();
    const fd = this.openForAppend();
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(payload.length, 0);
    header.writeUInt32LE(crc32(payload), 4);
    // Header and payload in one system call, without copying the payload into a frame first.
    writevSync(fd, [header, payload], this.writeOffset);
    if (this.fsync) fsyncSync(fd);
    this.writeOffset += frameBytes;
    this.sizes.set(this.writeSegment, this.writeOffset);
    this.pending += frameBytes;
    return { written: true, dropped };
  }

  /** The oldest payload not yet committed, or undefined when the spool is empty. Skips torn frames. */
  peek(): SpoolEntry | undefined {
    for (;;) {
      const { segment, offset } = this.cursor;
      const end = segment === this.writeSegment ? this.writeOffset : (this.sizes.get(segment) ?? 0);
      if (offset + HEADER <= end) {
        const frame = this.readFrame(segment, offset, end);
        if (frame) return frame;
        // A corrupt frame leaves no trustworthy length to skip by: reading resumes at the next
        // intact frame of its segment, if there is one.
        this.tornFrames += 1;
        const resume = this.nextIntactFrame(segment, offset + 1, end);
        if (resume !== undefined) {
          this.commit({ segment, offset: resume });
          continue;
        }
        if (segment === this.writeSegment) {
          // Where the next append goes: cut it off rather than read it again.
          this.closeWriteFd();
          truncateSync(this.segmentPath(segment), offset);
          this.writeOffset = offset;
          this.sizes.set(segment, offset);
          this.pending = this.measurePending();
          return undefined;
        }
      } else {
        if (segment >= this.writeSegment) return undefined;
        if (offset < end) this.tornFrames += 1;
      }
      this.commit({ segment: segment + 1, offset: 0 });
    }
  }

  /**
   * Marks everything before `position` delivered; fully read segments are deleted. A position
   * the cursor is already past is ignored: a frame delivered while `drop-oldest` deleted its
   * segment (its payload was returned as dropped then) must not move the cursor back.
   */
  commit(position: SpoolPosition): void {
    if (this.isCommitted(position)) return;
    this.pending -= this.bytesBetween(this.cursor, position);
    this.cursor = position;
    this.writeCursor();
    for (const segment of [...this.sizes.keys()]) if (segment < position.segment) this.deleteSegment(segment);
    if (this.isEmpty && this.writeOffset > 0) {
      // Drained: start the next append in a fresh segment so the old file can go.
      this.rotate();
      this.cursor = { segment: this.writeSegment, offset: 0 };
      this.writeCursor();
      for (const segment of [...this.sizes.keys()]) if (segment < this.writeSegment) this.deleteSegment(segment);
      this.pending = 0;
    }
  }

  /** True when the cursor is at or past `position`: what ends there is no longer held (delivered, or dropped). */
  isCommitted(position: SpoolPosition): boolean {
    return position.segment < this.cursor.segment || (position.segment === this.cursor.segment && position.offset <= this.cursor.offset);
  }

  /** Releases the file handles. The spool can be opened again from the same folder. */
  close(): void {
    this.closeWriteFd();
    this.closeReadFd();
  }

  /** Reads the frame at `offset`; undefined when it is torn or corrupt. */
  private readFrame(segment: number, offset: number, end: number): SpoolEntry | undefined {
    const fd = this.openForRead(segment);
    const header = Buffer.allocUnsafe(HEADER);
    if (readSync(fd, header, 0, HEADER, offset) < HEADER) return undefined;
    const length = header.readUInt32LE(0);
    if (length > MAX_FRAME || offset + HEADER + length > end) return undefined;
    const payload = Buffer.allocUnsafe(length);
    if (length > 0 && readSync(fd, payload, 0, length, offset + HEADER) < length) return undefined;
    if (crc32(payload) !== header.readUInt32LE(4)) return undefined;
    return { payload, next: { segment, offset: offset + HEADER + length } };
  }

  /**
   * Length of the run of intact frames at the start of a segment; a torn tail left by a crash
   * is cut off so the next append starts on a frame boundary.
   */
  private validLength(path: string): number {
    const data = readFileSync(path);
    let offset = 0;
    while (offset + HEADER <= data.length) {
      const length = frameLengthAt(data, offset);
      if (length === undefined) {
        // Corrupt in the middle, intact frames after it: kept (reading skips and counts the bad one).
        const resume = intactFrameAfter(data, offset + 1);
        if (resume === undefined) break;
        offset = resume;
        continue;
      }
      offset += HEADER + length;
    }
    if (offset < data.length) {
      this.tornFrames += 1;
      truncateSync(path, offset);
    }
    return offset;
  }

  /** Deletes whole segments from the oldest until `needed` bytes fit; returns their unread payloads. */
  private dropOldest(needed: number): Buffer[] {
    const dropped: Buffer[] = [];
    while (this.pending + needed > this.maxBytes && this.cursor.segment < this.writeSegment) {
      const { segment } = this.cursor;
      const end = this.sizes.get(segment) ?? 0;
      let offset = this.cursor.offset;
      for (let frame = this.readAt(segment, offset, end); frame; frame = this.readAt(segment, offset, end)) {
        dropped.push(frame.payload);
        offset = frame.next.offset;
      }
      this.commit({ segment: segment + 1, offset: 0 });
    }
    return dropped;
  }

  /** The offset of the first intact frame at or after `from` in a segment, read from disk up to `end`. */
  private nextIntactFrame(segment: number, from: number, end: number): number | undefined {
    // Called for a frame that had a header's room before `end`: `from` is never past it.
    const data = Buffer.allocUnsafe(end - from);
    const read = readSync(this.openForRead(segment), data, 0, data.length, from);
    const at = intactFrameAfter(data.subarray(0, read), 0);
    return at === undefined ? undefined : from + at;
  }

  private readAt(segment: number, offset: number, end: number): SpoolEntry | undefined {
    return offset + HEADER <= end ? this.readFrame(segment, offset, end) : undefined;
  }

  private bytesBetween(from: SpoolPosition, to: SpoolPosition): number {
    if (to.segment === from.segment) return to.offset - from.offset;
    let bytes = (this.sizes.get(from.segment) ?? 0) - from.offset + to.offset;
    for (let s = from.segment + 1; s < to.segment; s++) bytes += this.sizes.get(s) ?? 0;
    return bytes;
  }

  private measurePending(): number {
    let total = 0;
    for (const [segment, size] of this.sizes) {
      if (segment > this.cursor.segment) total += size;
      else if (segment === this.cursor.segment) total += Math.max(0, size - this.cursor.offset);
    }
    return total;
  }

  private rotate(): void {
    this.closeWriteFd();
    this.writeSegment += 1;
    this.writeOffset = 0;
    this.sizes.set(this.writeSegment, 0);
  }

  private deleteSegment(segment: number): void {
    if (this.readFd?.segment === segment) this.closeReadFd();
    rmSync(this.segmentPath(segment), { force: true });
    this.sizes.delete(segment);
  }

  private writeCursor(): void {
    const tmp = join(this.dir, `${CURSOR}.tmp`);
    writeFileSync(tmp, JSON.stringify(this.cursor));
    renameSync(tmp, join(this.dir, CURSOR));
  }

  private openForAppend(): number {
    const path = this.segmentPath(this.writeSegment);
    this.writeFd ??= openSync(path, existsSync(path) ? 'r+' : 'w+');
    return this.writeFd;
  }

  private openForRead(segment: number): number {
    if (this.readFd?.segment !== segment) {
      this.closeReadFd();
      this.readFd = { segment, fd: openSync(this.segmentPath(segment), 'r') };
      // A segment written by an earlier process: its size on disk is what there is to read.
      if (!this.sizes.has(segment)) this.sizes.set(segment, fstatSync(this.readFd.fd).size);
    }
    return this.readFd.fd;
  }

  private closeWriteFd(): void {
    if (this.writeFd !== undefined) closeSync(this.writeFd);
    this.writeFd = undefined;
  }

  private closeReadFd(): void {
    if (this.readFd !== undefined) closeSync(this.readFd.fd);
    this.readFd = undefined;
  }

  private segments(): number[] {
    return readdirSync(this.dir)
      .filter((f) => /^\d{8}\.seg$/.test(f))
      .map((f) => Number(f.slice(0, 8)))
      .sort((a, b) => a - b);
  }

  private segmentPath(segment: number): string {
    return join(this.dir, `${String(segment).padStart(8, '0')}.seg`);
  }

  private readCursor(segments: readonly number[]): SpoolPosition {
    try {
      const parsed = JSON.parse(readFileSync(join(this.dir, CURSOR), 'utf8')) as SpoolPosition;
      if (Number.isInteger(parsed.segment) && Number.isInteger(parsed.offset) && parsed.offset >= 0) return parsed;
    } catch {
      // No cursor yet (new spool) or a torn cursor write: start from the oldest segment.
    }
    return { segment: segments[0] ?? 0, offset: 0 };
  }
}

/** The payload length of the intact frame at `offset` of `data`, or undefined when it is torn or corrupt. */
function frameLengthAt(data: Buffer, offset: number): number | undefined {
  const length = data.readUInt32LE(offset);
  const end = offset + HEADER + length;
  if (length > MAX_FRAME || end > data.length || crc32(data.subarray(offset + HEADER, end)) !== data.readUInt32LE(offset + 4)) return undefined;
  return length;
}

/**
 * The offset of the first intact, non-empty frame at or after `from`: where reading can resume
 * after a corrupt frame. Nothing the pipeline spools is empty, and eight zero bytes (a region a
 * crash left unwritten) would pass as an empty frame. A length read from inside JSON text is
 * at least 0x20202020 (four ASCII bytes), past any segment, so the checksum is rarely computed.
 */
function intactFrameAfter(data: Buffer, from: number): number | undefined {
  for (let offset = from; offset + HEADER <= data.length; offset++) {
    if (data.readUInt32LE(offset) !== 0 && frameLengthAt(data, offset) !== undefined) return offset;
  }
  return undefined;
}
