import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
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
  /** Segment size at which a new file starts. Default 64 MiB. */
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

// Frame: [u32 payload length][u32 crc32 of payload][payload]. A torn tail (short frame or CRC
// mismatch after a crash) is detected on read and skipped, never blocking replay.
const HEADER = 8;
const CURSOR = 'cursor.json';

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
  private fd: number | undefined;
  private readCache: { segment: number; data: Buffer } | undefined;
  /** Frames found torn or corrupt while reading, skipped. */
  tornFrames = 0;

  constructor(options: FileSpoolOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? 1024 ** 3;
    this.whenFull = options.whenFull ?? 'reject-new';
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 ** 2;
    this.fsync = options.fsync ?? true;
    mkdirSync(this.dir, { recursive: true });
    this.cursor = this.readCursor();
    const segments = this.segments();
    this.writeSegment = Math.max(this.cursor.segment, segments.at(-1) ?? 0);
    const path = this.segmentPath(this.writeSegment);
    this.writeOffset = existsSync(path) ? this.validLength(path) : 0;
  }

  /** Bytes on disk not yet committed as delivered. */
  get pendingBytes(): number {
    let total = 0;
    for (const segment of this.segments()) {
      if (segment < this.cursor.segment) continue;
      const size = statSync(this.segmentPath(segment)).size;
      total += segment === this.cursor.segment ? Math.max(0, size - this.cursor.offset) : size;
    }
    return total;
  }

  /** True when nothing is waiting to be replayed. */
  get isEmpty(): boolean {
    return this.cursor.segment === this.writeSegment && this.cursor.offset >= this.writeOffset;
  }

  /**
   * Appends one payload; returns false (nothing written) when the spool is full under
   * `reject-new`. Under `drop-oldest`, whole old segments are deleted to make room and their
   * count returned in `droppedSegments`.
   */
  append(payload: Buffer): { written: boolean; droppedSegments: number } {
    const frameBytes = HEADER + payload.length;
    let droppedSegments = 0;
    if (this.pendingBytes + frameBytes > this.maxBytes) {
      if (this.whenFull === 'reject-new') return { written: false, droppedSegments };
      droppedSegments = this.dropOldest(frameBytes);
      if (this.pendingBytes + frameBytes > this.maxBytes) return { written: false, droppedSegments };
    }
    if (this.writeOffset > 0 && this.writeOffset + frameBytes > this.segmentBytes) this.rotate();
    const fd = this.openForAppend();
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(payload.length, 0);
    header.writeUInt32LE(crc32(payload), 4);
    writeSync(fd, Buffer.concat([header, payload]), 0, frameBytes, this.writeOffset);
    if (this.fsync) fsyncSync(fd);
    this.writeOffset += frameBytes;
    return { written: true, droppedSegments };
  }

  /** The oldest payload not yet committed, or undefined when the spool is empty. Skips torn frames. */
  peek(): SpoolEntry | undefined {
    let { segment, offset } = this.cursor;
    while (segment <= this.writeSegment) {
      const data = this.read(segment);
      while (offset + HEADER <= data.length) {
        const length = data.readUInt32LE(offset);
        const checksum = data.readUInt32LE(offset + 4);
        const end = offset + HEADER + length;
        if (end > data.length) break; // torn tail: the process died mid-append
        const payload = data.subarray(offset + HEADER, end);
        if (crc32(payload) !== checksum) {
          // A corrupt frame leaves no trustworthy length to skip by: give up on the rest of this segment.
          this.tornFrames += 1;
          offset = data.length;
          break;
        }
        return { payload, next: { segment, offset: end } };
      }
      if (offset < data.length) {
        this.tornFrames += 1;
        if (segment === this.writeSegment) {
          // The torn tail is where the next append goes: overwrite it rather than read it again.
          this.writeOffset = offset;
          this.closeFd();
          return undefined;
        }
      }
      if (segment === this.writeSegment) return undefined;
      segment += 1;
      offset = 0;
      this.commit({ segment, offset });
    }
    return undefined;
  }

  /** Marks everything before `position` delivered; fully read segments are deleted. */
  commit(position: SpoolPosition): void {
    this.cursor = position;
    const tmp = join(this.dir, `${CURSOR}.tmp`);
    writeFileSync(tmp, JSON.stringify(position));
    renameSync(tmp, join(this.dir, CURSOR));
    for (const segment of this.segments()) if (segment < position.segment) rmSync(this.segmentPath(segment), { force: true });
    if (this.isEmpty && this.writeOffset > 0) {
      // Drained: start the next append in a fresh segment so the old file can go.
      this.rotate();
      this.cursor = { segment: this.writeSegment, offset: 0 };
      writeFileSync(tmp, JSON.stringify(this.cursor));
      renameSync(tmp, join(this.dir, CURSOR));
      for (const segment of this.segments()) if (segment < this.writeSegment) rmSync(this.segmentPath(segment), { force: true });
    }
  }

  /** Releases the file handle. The spool can be opened again from the same folder. */
  close(): void {
    this.closeFd();
  }

  /**
   * Length of the run of intact frames at the start of a segment; a torn tail left by a crash
   * is cut off so the next append starts on a frame boundary.
   */
  private validLength(path: string): number {
    const data = readFileSync(path);
    let offset = 0;
    while (offset + HEADER <= data.length) {
      const end = offset + HEADER + data.readUInt32LE(offset);
      if (end > data.length || crc32(data.subarray(offset + HEADER, end)) !== data.readUInt32LE(offset + 4)) break;
      offset = end;
    }
    if (offset < data.length) {
      this.tornFrames += 1;
      truncateSync(path, offset);
    }
    return offset;
  }

  /** A segment's bytes; cached, since replay reads it entry by entry. */
  private read(segment: number): Buffer {
    const cached = this.readCache;
    const stale = !cached || cached.segment !== segment || (segment === this.writeSegment && cached.data.length !== this.writeOffset);
    if (stale) {
      const path = this.segmentPath(segment);
      this.readCache = { segment, data: existsSync(path) ? readFileSync(path) : Buffer.alloc(0) };
    }
    return (this.readCache as { data: Buffer }).data;
  }

  private dropOldest(needed: number): number {
    let dropped = 0;
    while (this.pendingBytes + needed > this.maxBytes && this.cursor.segment < this.writeSegment) {
      this.commit({ segment: this.cursor.segment + 1, offset: 0 });
      dropped += 1;
    }
    return dropped;
  }

  private rotate(): void {
    this.closeFd();
    this.writeSegment += 1;
    this.writeOffset = 0;
  }

  private openForAppend(): number {
    this.fd ??= openSync(this.segmentPath(this.writeSegment), existsSync(this.segmentPath(this.writeSegment)) ? 'r+' : 'w+');
    return this.fd;
  }

  private closeFd(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
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

  private readCursor(): SpoolPosition {
    try {
      const parsed = JSON.parse(readFileSync(join(this.dir, CURSOR), 'utf8')) as SpoolPosition;
      if (Number.isInteger(parsed.segment) && Number.isInteger(parsed.offset)) return parsed;
    } catch {
      // No cursor yet (new spool) or a torn cursor write: start from the oldest segment.
    }
    return { segment: this.segments()[0] ?? 0, offset: 0 };
  }
}
