// FileSpool on real files at its edges: segment boundaries, reopening after crashes at each step
// of a commit, torn and corrupt frames, the full policies at their exact byte bound, fsync, and
// the file handles it keeps. Every test checks what a user of the spool relies on: nothing lost,
// nothing replayed twice, every drop counted, disk space given back.
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileSpool, type FileSpoolOptions } from '../src/index.js';

// fsync cannot be seen on the file without a power cut, but the system call can: count it and
// pass it on (every other function of node:fs is the real one).
const fsyncCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return {
    ...actual,
    fsyncSync: (fd: number) => {
      fsyncCalls.count += 1;
      return actual.fsyncSync(fd);
    },
  };
});

const dirs: string[] = [];
function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mini-agent-spool-edges-')));
  dirs.push(dir);
  return dir;
}
const open: FileSpool[] = [];
function spoolAt(dir: string, options: Omit<FileSpoolOptions, 'dir'> = {}): FileSpool {
  const spool = new FileSpool({ dir, fsync: false, ...options });
  open.push(spool);
  return spool;
}
afterEach(() => {
  for (const spool of open.splice(0)) spool.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A 10-byte payload: with the 8-byte header, an 18-byte frame. */
const p = (name: string) => Buffer.from(name.padEnd(10, '.'));
const FRAME = 18;
const name = (payload: Buffer) => payload.toString().replace(/\.+$/, '');

/** The segment files in the folder, sorted, with their sizes. */
function segments(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.seg')).sort()) out[f] = statSync(join(dir, f)).size;
  return out;
}
const seg = (n: number) => `${String(n).padStart(8, '0')}.seg`;

/** Reads and commits everything, checking pendingBytes after each commit. */
function drain(spool: FileSpool): string[] {
  const seen: string[] = [];
  for (let entry = spool.peek(); entry; entry = spool.peek()) {
    seen.push(name(entry.payload));
    spool.commit(entry.next);
  }
  return seen;
}

/** File handles of this process that point into `dir` (Linux: /proc/self/fd). */
function handlesInto(dir: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) out.push(target);
    } catch {
      // The handle readdir used is gone by now.
    }
  }
  return out;
}
const hasProcFd = existsSync('/proc/self/fd');

describe('segments fill up to segmentBytes exactly, and go once read past', () => {
  it('two frames that fill a segment exactly share it; the third starts the next; reading frees each segment and drains to no file', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { segmentBytes: 2 * FRAME });
    for (const n of ['a', 'b', 'c', 'd', 'e']) expect(spool.append(p(n))).toEqual({ written: true, dropped: [] });
    expect(segments(dir)).toEqual({ [seg(0)]: 2 * FRAME, [seg(1)]: 2 * FRAME, [seg(2)]: FRAME });
    expect(spool.pendingBytes).toBe(5 * FRAME);

    // Read one by one: each commit takes exactly one frame off the count; an older segment longer
    // than the one being written is read to its own end.
    const seen: string[] = [];
    const listings: string[][] = [];
    for (let entry = spool.peek(); entry; entry = spool.peek()) {
      seen.push(name(entry.payload));
      expect(spool.isEmpty).toBe(false);
      spool.commit(entry.next);
      expect(spool.pendingBytes).toBe((5 - seen.length) * FRAME);
      listings.push(Object.keys(segments(dir)));
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    // A segment stays while a frame in it is unread, and goes as soon as the cursor is past it.
    expect(listings).toEqual([
      [seg(0), seg(1), seg(2)],
      [seg(0), seg(1), seg(2)],
      [seg(1), seg(2)],
      [seg(1), seg(2)],
      [],
    ]);
    expect(spool.isEmpty).toBe(true);
    expect(spool.pendingBytes).toBe(0);
    // Drained, the next frame starts a fresh segment and is the only thing to read.
    spool.append(p('f'));
    expect(Object.keys(segments(dir))).toHaveLength(1);
    expect(drain(spool)).toEqual(['f']);
  });

  it('a frame larger than segmentBytes goes alone in a segment, numbered from the first, none left empty', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { segmentBytes: 10 });
    for (const n of ['x', 'y', 'z']) spool.append(Buffer.from(n.repeat(20)));
    expect(segments(dir)).toEqual({ [seg(0)]: 28, [seg(1)]: 28, [seg(2)]: 28 });
    spool.close();
    expect(drain(spoolAt(dir, { segmentBytes: 10 }))).toEqual(['x'.repeat(20), 'y'.repeat(20), 'z'.repeat(20)]);
  });

  it('an empty payload is a frame of its own, at the end of a segment too, in this process and after reopening', () => {
    const dir = tempDir();
    const spool = spoolAt(dir);
    spool.append(p('a'));
    spool.append(Buffer.alloc(0));
    expect(spool.pendingBytes).toBe(FRAME + 8);
    spool.close();
    const reopened = spoolAt(dir);
    expect(reopened.tornFrames).toBe(0);
    expect(reopened.pendingBytes).toBe(FRAME + 8);
    expect(drain(reopened)).toEqual(['a', '']);
    expect(reopened.tornFrames).toBe(0);

    const live = spoolAt(tempDir());
    live.append(p('b'));
    live.append(Buffer.alloc(0));
    expect(drain(live)).toEqual(['b', '']);
  });

  it('commit to a position further on removes everything before it from the count and the disk', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { segmentBytes: 2 * FRAME });
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) spool.append(p(n));
    spool.commit(spool.peek()!.next); // cursor inside segment 0
    spool.commit({ segment: 3, offset: FRAME }); // after 'g'
    expect(spool.pendingBytes).toBe(FRAME);
    expect(Object.keys(segments(dir))).toEqual([seg(3)]);
    expect(drain(spool)).toEqual(['h']);
    expect(spool.pendingBytes).toBe(0);
  });
});

describe('a new FileSpool on the same folder resumes where the last one stopped', () => {
  function written(dir: string): FileSpool {
    const spool = spoolAt(dir, { segmentBytes: 2 * FRAME });
    for (const n of ['a', 'b', 'c', 'd', 'e']) spool.append(p(n));
    return spool;
  }

  it('stopped in the middle of a segment: the rest, nothing twice', () => {
    const dir = tempDir();
    const spool = written(dir);
    expect(drain1(spool, 3)).toEqual(['a', 'b', 'c']);
    spool.close();
    const reopened = spoolAt(dir, { segmentBytes: 2 * FRAME });
    expect(reopened.pendingBytes).toBe(2 * FRAME);
    expect(reopened.isEmpty).toBe(false);
    expect(drain(reopened)).toEqual(['d', 'e']);
  });

  it('stopped right at the end of an older segment: goes on with the next one', () => {
    const dir = tempDir();
    const spool = written(dir);
    expect(drain1(spool, 2)).toEqual(['a', 'b']);
    spool.close();
    const reopened = spoolAt(dir, { segmentBytes: 2 * FRAME });
    expect(reopened.pendingBytes).toBe(3 * FRAME);
    expect(drain(reopened)).toEqual(['c', 'd', 'e']);
    expect(reopened.tornFrames).toBe(0);
  });

  it('a crash after the cursor was saved but before the segments read past were deleted: they are deleted on opening, not replayed', () => {
    const dir = tempDir();
    const spool = written(dir);
    const first = readFileSync(join(dir, seg(0)));
    expect(drain1(spool, 3)).toEqual(['a', 'b', 'c']);
    spool.close();
    writeFileSync(join(dir, seg(0)), first); // as if the process died before deleting it
    const reopened = spoolAt(dir, { segmentBytes: 2 * FRAME });
    expect(Object.keys(segments(dir))).toEqual([seg(1), seg(2)]);
    expect(reopened.pendingBytes).toBe(2 * FRAME);
    expect(drain(reopened)).toEqual(['d', 'e']);
  });

  it('a crash right after draining (new cursor saved, old segments still there): nothing is replayed, the next frame is', () => {
    const dir = tempDir();
    const spool = written(dir);
    const before = Object.fromEntries(Object.keys(segments(dir)).map((f) => [f, readFileSync(join(dir, f))]));
    expect(drain(spool)).toEqual(['a', 'b', 'c', 'd', 'e']);
    spool.close();
    for (const [f, bytes] of Object.entries(before)) writeFileSync(join(dir, f), bytes);
    const reopened = spoolAt(dir, { segmentBytes: 2 * FRAME });
    expect(segments(dir)).toEqual({});
    expect(reopened.isEmpty).toBe(true);
    expect(reopened.pendingBytes).toBe(0);
    expect(reopened.peek()).toBeUndefined();
    reopened.append(p('f'));
    expect(drain(reopened)).toEqual(['f']);
  });

  it('a cursor past the end of a segment cut short as torn: nothing there is left, the next append is read', () => {
    const dir = tempDir();
    const spool = spoolAt(dir);
    for (const n of ['a', 'b', 'c']) spool.append(p(n));
    expect(drain1(spool, 2)).toEqual(['a', 'b']);
    spool.close();
    truncateSync(join(dir, seg(0)), FRAME + 5); // 'b' half there: the cursor (after 'b') is past the valid end
    const reopened = spoolAt(dir);
    expect(reopened.tornFrames).toBe(1);
    expect(reopened.isEmpty).toBe(true);
    expect(reopened.pendingBytes).toBe(0);
    reopened.append(p('new'));
    expect(reopened.pendingBytes).toBe(FRAME);
    expect(drain(reopened)).toEqual(['new']);
  });

  it('a cursor in an older segment further in than the torn newest segment is long: the older one is still read to its end', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { segmentBytes: 2 * FRAME });
    for (const n of ['a', 'b', 'c', 'd']) spool.append(p(n));
    expect(drain1(spool, 1)).toEqual(['a']);
    spool.close();
    truncateSync(join(dir, seg(1)), 5); // the newest segment torn in its first frame
    const reopened = spoolAt(dir, { segmentBytes: 2 * FRAME });
    expect(reopened.tornFrames).toBe(1);
    expect(reopened.pendingBytes).toBe(FRAME);
    expect(drain(reopened)).toEqual(['b']);
    reopened.append(p('e'));
    // The torn segment, cut to nothing, takes the next frame: no file number is skipped.
    expect(segments(dir)).toEqual({ [seg(1)]: FRAME });
    expect(drain(reopened)).toEqual(['e']);
  });

  it('segment files created in any order (a restored copy) are read in segment order; files that only look like segments are left alone', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { segmentBytes: FRAME });
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    for (const n of names) spool.append(p(n));
    spool.close();
    const files = Object.keys(segments(dir));
    expect(files).toHaveLength(8);
    const bytes = files.map((f) => readFileSync(join(dir, f)));
    for (const f of files) rmSync(join(dir, f));
    for (const i of [3, 0, 7, 5, 1, 6, 2, 4]) writeFileSync(join(dir, files[i]!), bytes[i]!);
    writeFileSync(join(dir, 'old-00000003.seg'), 'not ours');
    writeFileSync(join(dir, '00000009.seg.bak'), 'not ours either');
    const reopened = spoolAt(dir, { segmentBytes: FRAME });
    expect(reopened.pendingBytes).toBe(8 * FRAME);
    expect(drain(reopened)).toEqual(names);
    expect(readdirSync(dir).filter((f) => f.includes('.seg')).sort()).toEqual(['00000009.seg.bak', 'old-00000003.seg']);
  });

  it('a damaged cursor file is ignored: replay starts from the oldest segment, nothing lost', () => {
    for (const cursor of ['{"segment":null,"offset":0}', '{"segment":0.5,"offset":0}', '{"segment":0}', '{"segment":0,"offset":-8}', '{"segment":0,"offset":1.5}', '{"segm']) {
      const dir = tempDir();
      const spool = spoolAt(dir, { segmentBytes: 2 * FRAME });
      for (const n of ['a', 'b', 'c']) spool.append(p(n));
      spool.close();
      writeFileSync(join(dir, 'cursor.json'), cursor);
      const reopened = spoolAt(dir, { segmentBytes: 2 * FRAME });
      expect(reopened.pendingBytes, cursor).toBe(3 * FRAME);
      expect(drain(reopened), cursor).toEqual(['a', 'b', 'c']);
    }
  });
});

/** Reads and commits `n` entries. */
function drain1(spool: FileSpool, n: number): string[] {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const entry = spool.peek()!;
    seen.push(name(entry.payload));
    spool.commit(entry.next);
  }
  return seen;
}

describe('torn and corrupt frames are counted and skipped; the frames before them are kept', () => {
  function frameHeader(length: number, crc: number): Buffer {
    const header = Buffer.alloc(8);
    header.writeUInt32LE(length, 0);
    header.writeUInt32LE(crc, 4);
    return header;
  }

  it('a flipped byte in the middle of the newest segment: the frames after it are kept; the bad one is skipped and counted', () => {
    const dir = tempDir();
    const spool = spoolAt(dir);
    for (const n of ['a', 'b', 'c']) spool.append(p(n));
    spool.close();
    const bytes = readFileSync(join(dir, seg(0)));
    bytes[FRAME + 8 + 3]! ^= 0xff; // in the payload of 'b'
    writeFileSync(join(dir, seg(0)), bytes);
    const reopened = spoolAt(dir);
    expect(reopened.tornFrames).toBe(0); // not a torn tail: nothing is cut
    expect(statSync(join(dir, seg(0))).size).toBe(3 * FRAME);
    expect(reopened.pendingBytes).toBe(3 * FRAME);
    reopened.append(p('new'));
    expect(drain(reopened)).toEqual(['a', 'c', 'new']);
    expect(reopened.tornFrames).toBe(1);
  });

  it('a flipped byte in the last frame of the newest segment: a torn tail, cut at opening, so the next append lands where it is read', () => {
    const dir = tempDir();
    const spool = spoolAt(dir);
    for (const n of ['a', 'b', 'c']) spool.append(p(n));
    spool.close();
    const bytes = readFileSync(join(dir, seg(0)));
    bytes[2 * FRAME + 8 + 3]! ^= 0xff; // in the payload of 'c'
    writeFileSync(join(dir, seg(0)), bytes);
    const reopened = spoolAt(dir);
    expect(reopened.tornFrames).toBe(1);
    expect(statSync(join(dir, seg(0))).size).toBe(2 * FRAME);
    expect(reopened.pendingBytes).toBe(2 * FRAME);
    reopened.append(p('new'));
    expect(drain(reopened)).toEqual(['a', 'b', 'new']);
    expect(reopened.tornFrames).toBe(1);
  });

  it('a corrupt frame in an older segment: reading resumes at the next intact frame, however far in', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { segmentBytes: 4 * FRAME });
    for (const n of ['a', 'b', 'c', 'd', 'e']) spool.append(p(n));
    spool.close();
    // Segment 0 holds a-d: 'b' loses its header, so no length says where 'c' starts.
    const fd = openSync(join(dir, seg(0)), 'r+');
    writeSync(fd, Buffer.alloc(8, 0x41), 0, 8, FRAME);
    closeSync(fd);
    const reopened = spoolAt(dir, { segmentBytes: 4 * FRAME });
    expect(drain(reopened)).toEqual(['a', 'c', 'd', 'e']);
    expect(reopened.tornFrames).toBe(1);
    expect(reopened.pendingBytes).toBe(0);
  });

  it('after a corrupt frame, bytes that only look like a frame (a length that fits, a wrong checksum) are not resumed at', () => {
    const dir = tempDir();
    const spool = spoolAt(dir);
    spool.append(p('a'));
    spool.close();
    // A corrupt frame whose payload holds a header of a 4-byte frame with a wrong checksum, then 'c'.
    const fake = Buffer.concat([frameHeader(4, 12345), Buffer.from('fake')]);
    const corrupt = Buffer.concat([frameHeader(fake.length, 0), fake]);
    const c = Buffer.concat([frameHeader(10, crc32(p('c'))), p('c')]);
    appendFileSync(join(dir, seg(0)), Buffer.concat([corrupt, c]));
    const reopened = spoolAt(dir);
    expect(drain(reopened)).toEqual(['a', 'c']);
    expect(reopened.tornFrames).toBe(1);
  });

  it('eight zero bytes are not taken for a frame to resume at (a region a crash left unwritten)', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { segmentBytes: 3 * FRAME + 16 });
    for (const n of ['a', 'b']) spool.append(p(n));
    spool.close();
    // 'b' corrupt, then 16 zero bytes: two "empty frames" with a matching checksum, were they read.
    const bytes = readFileSync(join(dir, seg(0)));
    bytes[FRAME + 8]! ^= 0xff;
    writeFileSync(join(dir, seg(0)), Buffer.concat([bytes, Buffer.alloc(16)]));
    const reopened = spoolAt(dir, { segmentBytes: 3 * FRAME + 16 });
    expect(reopened.tornFrames).toBe(1);
    expect(statSync(join(dir, seg(0))).size).toBe(FRAME);
    expect(drain(reopened)).toEqual(['a']);
  });

  it('a payload over the largest frame is refused when appended, not written to be taken for garbage later', () => {
    const spool = spoolAt(tempDir());
    const huge = { length: 1024 ** 3 + 1 } as Buffer; // only its length is read before refusing
    expect(() => spool.append(huge)).toThrow(`a payload of ${1024 ** 3 + 1} bytes is over the spool's frame limit of ${1024 ** 3} bytes`);
    expect(spool.pendingBytes).toBe(0);
    expect(spool.isEmpty).toBe(true);
  });

  it('a torn tail whose checksum happens to match what is there is still cut: its length runs past the file', () => {
    const dir = tempDir();
    const spool = spoolAt(dir);
    spool.append(p('a'));
    spool.append(p('b'));
    spool.close();
    appendFileSync(join(dir, seg(0)), Buffer.concat([frameHeader(100, crc32(Buffer.from('abc'))), Buffer.from('abc')]));
    const reopened = spoolAt(dir);
    expect(reopened.tornFrames).toBe(1);
    expect(statSync(join(dir, seg(0))).size).toBe(2 * FRAME);
    reopened.append(p('c'));
    expect(drain(reopened)).toEqual(['a', 'b', 'c']);
  });

  it('a length field over the largest frame, in an older segment and at the tail of the newest', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { segmentBytes: 2 * FRAME });
    for (const n of ['a', 'b', 'c']) spool.append(p(n));
    spool.close();
    // Segment 0: 'b' gets a length of 4 GiB - 1. Segment 1: a tail claiming the same.
    const fd = openSync(join(dir, seg(0)), 'r+');
    writeSync(fd, frameHeader(0xffffffff, 0), 0, 4, FRAME);
    closeSync(fd);
    appendFileSync(join(dir, seg(1)), Buffer.concat([frameHeader(0xffffffff, 0), Buffer.from('abc')]));
    const reopened = spoolAt(dir, { segmentBytes: 2 * FRAME });
    expect(reopened.tornFrames).toBe(1);
    expect(drain(reopened)).toEqual(['a', 'c']);
    expect(reopened.tornFrames).toBe(2);
  });

  it('bytes too few for a header at the end of an older segment are counted as torn; the next segment is read', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { segmentBytes: 2 * FRAME });
    for (const n of ['a', 'b', 'c']) spool.append(p(n));
    spool.close();
    appendFileSync(join(dir, seg(0)), Buffer.from('xyz'));
    const reopened = spoolAt(dir, { segmentBytes: 2 * FRAME });
    expect(reopened.tornFrames).toBe(0); // only the newest segment is checked on opening
    expect(reopened.pendingBytes).toBe(3 * FRAME + 3);
    expect(drain(reopened)).toEqual(['a', 'b', 'c']);
    expect(reopened.tornFrames).toBe(1);
    expect(reopened.pendingBytes).toBe(0);
  });

  it('a frame corrupted on disk while the spool is open, in the segment being written: skipped, the frames after it read', () => {
    const dir = tempDir();
    const spool = spoolAt(dir);
    for (const n of ['a', 'b', 'c']) spool.append(p(n));
    const fd = openSync(join(dir, seg(0)), 'r+');
    writeSync(fd, Buffer.from('!'), 0, 1, FRAME + 8 + 2); // in the payload of 'b'
    closeSync(fd);
    expect(drain(spool)).toEqual(['a', 'c']);
    expect(spool.tornFrames).toBe(1);
    expect(spool.isEmpty).toBe(true);
    expect(spool.pendingBytes).toBe(0);
    spool.append(p('d'));
    expect(spool.pendingBytes).toBe(FRAME);
    expect(drain(spool)).toEqual(['d']);
    expect(spool.tornFrames).toBe(1);
  });

  it('the last frame of the segment being written corrupted while the spool is open: cut there, the next append is read', () => {
    const dir = tempDir();
    const spool = spoolAt(dir);
    for (const n of ['a', 'b', 'c']) spool.append(p(n));
    const fd = openSync(join(dir, seg(0)), 'r+');
    writeSync(fd, Buffer.from('!'), 0, 1, 2 * FRAME + 8 + 2); // in the payload of 'c'
    closeSync(fd);
    expect(drain(spool)).toEqual(['a', 'b']);
    expect(spool.tornFrames).toBe(1);
    expect(spool.isEmpty).toBe(true);
    expect(statSync(join(dir, seg(0))).size).toBe(2 * FRAME);
    spool.append(p('d'));
    expect(spool.pendingBytes).toBe(FRAME);
    expect(drain(spool)).toEqual(['d']);
    expect(spool.tornFrames).toBe(1);
  });
});

describe('full spool: the policies at their exact byte bound', () => {
  const big = (n: string) => Buffer.from(n.padEnd(42, '.')); // a 50-byte frame

  it('reject-new is the default: up to maxBytes exactly is taken, a byte more is refused and nothing old is dropped', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { maxBytes: 100 }); // segments of a quarter: one frame each
    expect(spool.append(big('a'))).toEqual({ written: true, dropped: [] });
    expect(spool.append(big('b'))).toEqual({ written: true, dropped: [] });
    expect(spool.pendingBytes).toBe(100);
    expect(Object.keys(segments(dir))).toEqual([seg(0), seg(1)]);
    expect(spool.append(Buffer.alloc(0))).toEqual({ written: false, dropped: [] });
    expect(spool.pendingBytes).toBe(100);
    expect(drain(spool)).toEqual(['a', 'b']);
    expect(spool.append(big('c'))).toEqual({ written: true, dropped: [] });
  });

  it('drop-oldest drops whole old segments only until the new frame fits exactly, and hands back each dropped payload once', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { maxBytes: 150, segmentBytes: 50, whenFull: 'drop-oldest' });
    for (const n of ['a', 'b', 'c']) expect(spool.append(big(n))).toEqual({ written: true, dropped: [] });
    expect(spool.pendingBytes).toBe(150);
    const result = spool.append(big('d'));
    expect(result.written).toBe(true);
    expect(result.dropped.map(name)).toEqual(['a']);
    expect(spool.pendingBytes).toBe(150);
    expect(Object.keys(segments(dir))).toEqual([seg(1), seg(2), seg(3)]);
    expect(drain(spool)).toEqual(['b', 'c', 'd']);
  });

  it('drop-oldest hands back only the unread part of a segment it drops', () => {
    const spool = spoolAt(tempDir(), { maxBytes: 4 * FRAME, segmentBytes: 2 * FRAME, whenFull: 'drop-oldest' });
    for (const n of ['a', 'b', 'c', 'd']) spool.append(p(n));
    expect(drain1(spool, 1)).toEqual(['a']);
    expect(spool.append(p('e'))).toEqual({ written: true, dropped: [] }); // 'a' was delivered: room for one
    const result = spool.append(p('f'));
    expect(result).toMatchObject({ written: true });
    expect(result.dropped.map(name)).toEqual(['b']);
    expect(drain(spool)).toEqual(['c', 'd', 'e', 'f']);
  });

  it('drop-oldest hands back an empty payload at the very end of a dropped segment too', () => {
    const spool = spoolAt(tempDir(), { maxBytes: FRAME + 8 + FRAME, segmentBytes: FRAME + 8, whenFull: 'drop-oldest' });
    spool.append(p('a'));
    spool.append(Buffer.alloc(0));
    spool.append(p('b')); // segment 1; the spool is full to the byte
    const result = spool.append(p('c'));
    expect(result.written).toBe(true);
    expect(result.dropped.map(name)).toEqual(['a', '']);
    expect(drain(spool)).toEqual(['b', 'c']);
  });

  it('a frame being delivered while drop-oldest deletes its segment: its late commit moves nothing back', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { maxBytes: 3 * FRAME, segmentBytes: 2 * FRAME, whenFull: 'drop-oldest' });
    for (const n of ['a', 'b', 'c']) spool.append(p(n));
    const inFlight = spool.peek()!; // the pipeline is writing 'a' to its sink
    const result = spool.append(p('d')); // a new batch arrives meanwhile: segment 0 goes
    expect(result.dropped.map(name)).toEqual(['a', 'b']);
    expect(spool.pendingBytes).toBe(2 * FRAME);
    spool.commit(inFlight.next); // the write of 'a' succeeded: a position in a segment already gone
    expect(spool.pendingBytes).toBe(2 * FRAME);
    expect(segments(dir)).toEqual({ [seg(1)]: 2 * FRAME });
    expect(drain(spool)).toEqual(['c', 'd']);
    expect(spool.pendingBytes).toBe(0);
    expect(spool.isEmpty).toBe(true);
  });

  it('drop-oldest with nothing older than the segment being written: refused, nothing dropped, nothing written', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { maxBytes: 100, segmentBytes: 1000, whenFull: 'drop-oldest' });
    expect(spool.append(Buffer.alloc(60, 1))).toEqual({ written: true, dropped: [] });
    expect(spool.append(Buffer.alloc(60, 2))).toEqual({ written: false, dropped: [] });
    expect(spool.pendingBytes).toBe(68);
    expect(segments(dir)).toEqual({ [seg(0)]: 68 });
    const entry = spool.peek()!;
    expect(entry.payload).toEqual(Buffer.alloc(60, 1));
    spool.commit(entry.next);
    expect(spool.peek()).toBeUndefined();
  });
});

describe('fsync and file handles', () => {
  it('each append is fsynced before it returns by default, and not with fsync: false', () => {
    const synced = new FileSpool({ dir: tempDir() });
    open.push(synced);
    const before = fsyncCalls.count;
    synced.append(p('a'));
    expect(fsyncCalls.count).toBe(before + 1);
    synced.append(p('b'));
    expect(fsyncCalls.count).toBe(before + 2);
    const explicit = new FileSpool({ dir: tempDir(), fsync: true });
    open.push(explicit);
    explicit.append(p('c'));
    expect(fsyncCalls.count).toBe(before + 3);
    const unsynced = new FileSpool({ dir: tempDir(), fsync: false });
    open.push(unsynced);
    unsynced.append(p('d'));
    unsynced.append(p('e'));
    expect(fsyncCalls.count).toBe(before + 3);
    expect(drain(unsynced)).toEqual(['d', 'e']);
  });

  it.skipIf(!hasProcFd)('close() releases every handle into the folder; draining lets go of the deleted segments', () => {
    const dir = tempDir();
    const spool = spoolAt(dir, { segmentBytes: 2 * FRAME });
    for (const n of ['a', 'b', 'c']) spool.append(p(n));
    expect(spool.peek()).toBeDefined(); // a read handle on segment 0, a write handle on segment 1
    expect(handlesInto(dir).length).toBe(2);
    spool.close();
    expect(handlesInto(dir)).toEqual([]);

    const reopened = spoolAt(dir, { segmentBytes: 2 * FRAME });
    expect(drain(reopened)).toEqual(['a', 'b', 'c']);
    // Drained: every segment is deleted and no handle keeps one (and its disk space) alive.
    expect(segments(dir)).toEqual({});
    expect(handlesInto(dir)).toEqual([]);
    reopened.append(p('d'));
    expect(drain(reopened)).toEqual(['d']);
    expect(handlesInto(dir)).toEqual([]);
  });
});
