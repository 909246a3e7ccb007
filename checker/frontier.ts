/**
 * The breadth-first frontier: a FIFO queue of states in chunks. New states go into a live tail
 * chunk; a full chunk is sealed and, in compact mode, encoded into bytes (the spec's codec or the
 * structural one, see `codec.ts`): a queued state then costs tens of bytes instead of a live
 * object graph. Under memory pressure {@link Frontier.spill} moves sealed chunks to files on
 * disk (newest first, the ones needed last) and reads them back when the search reaches them, so a
 * search that needs more memory than there is slows down instead of dying. A slot may hold
 * `undefined` for a state that was counted but is not to be expanded (it violated an invariant);
 * positions stay aligned with the seen set's state indices.
 *
 * @module
 */

import { ByteSink, ByteSource, type StateCodec, STRUCTURAL_CODEC } from "./codec.ts";

/** States per chunk. */
export const CHUNK_STATES = 1024;

const ENTRY_SKIPPED = 0;
const ENTRY_STATE = 1;

/** One chunk: live states, their encoding, or where they were spilled. */
interface Chunk<S> {
  /** Entries in the chunk. */
  readonly count: number;
  /** Live entries (tail, head of a live frontier, or an unencoded sealed chunk). */
  live?: (S | undefined)[];
  /** The encoded entries. */
  bytes?: Uint8Array;
  /** Where the bytes were spilled. */
  spilled?: { readonly segment: SpillSegment; readonly offset: number; readonly length: number };
  /** True when every entry decodes on its own (bytes mode: entries were pushed encoded). */
  readonly entries?: boolean;
}

/** Queue length beyond which sealed chunks are encoded in `auto` mode. */
export const AUTO_ENCODE_AFTER = 1 << 16;

/**
 * How queued states are kept: `encoded`: every sealed chunk is encoded; `live`: as objects
 * (until memory pressure makes the explorer spill); `auto`: as objects while the queue is short
 * (up to {@link AUTO_ENCODE_AFTER} states), encoded beyond.
 */
export type FrontierMode = "auto" | "encoded" | "live";

/** Options of a {@link Frontier}. */
export interface FrontierOptions<S> {
  /** How queued states are kept (default `auto`). */
  readonly mode?: FrontierMode;
  /** The codec (default the structural codec). */
  readonly codec?: StateCodec<S>;
  /**
   * Keep every entry as bytes from the moment it is pushed, each entry self-contained
   * ({@link Frontier.pushBytes} appends an encoding made elsewhere, e.g. for a canonical codec's
   * fingerprint). Default false.
   */
  readonly bytes?: boolean;
  /**
   * Directory under which spill files go (created on the first spill if missing): the frontier
   * makes a folder of its own in it and removes that folder when it closes. Default: the
   * system's temporary directory.
   */
  readonly spillDir?: string;
}

/** One file of spilled chunks, deleted once every chunk in it was read back. */
class SpillSegment {
  readonly path: string;
  readonly #file: Deno.FsFile;
  size = 0;
  pending = 0;
  closed = false;

  constructor(path: string) {
    this.path = path;
    this.#file = Deno.openSync(path, { read: true, write: true, createNew: true });
  }

  append(bytes: Uint8Array): number {
    const offset = this.size;
    this.#file.seekSync(offset, Deno.SeekMode.Start);
    let done = 0;
    while (done < bytes.length) done += this.#file.writeSync(bytes.subarray(done));
    this.size += bytes.length;
    this.pending++;
    return offset;
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.#file.seekSync(offset, Deno.SeekMode.Start);
    let done = 0;
    while (done < length) {
      const n = this.#file.readSync(out.subarray(done));
      if (n === null) throw new RangeError(`Cannot read spilled frontier chunk from ${this.path}`);
      done += n;
    }
    return out;
  }

  release(): void {
    if (--this.pending === 0 && this.closed) this.remove();
  }

  remove(): void {
    try {
      this.#file.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
    try {
      Deno.removeSync(this.path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}

const SEGMENT_BYTES = 64 << 20;

/**
 * FIFO queue of states.
 *
 * @example Usage
 * ```ts
 * import { Frontier } from "./frontier.ts";
 * import assert from "node:assert/strict";
 * const q = new Frontier<{ n: number }>({ mode: "encoded" });
 * for (let n = 0; n < 3000; n++) q.push({ n });
 * assert.deepEqual(q.shift(), { n: 0 });
 * assert.equal(q.nextIndex, 1);
 * assert.equal(q.length, 2999);
 * assert.ok(q.bytes < 3000 * 8); // sealed chunks are encoded
 * ```
 */
export class Frontier<S> {
  readonly #mode: FrontierMode;
  readonly #encodeAfter: number;
  readonly #codec: StateCodec<S>;
  readonly #spillDir?: string;
  readonly #bytesMode: boolean;
  #tailSink: ByteSink | undefined;
  #tailCount = 0;
  #chunks: Chunk<S>[] = [];
  #tail: (S | undefined)[] = [];
  #head: Chunk<S> | undefined;
  #headAt = 0;
  #source: ByteSource | undefined;
  #shifted = 0;
  #length = 0;
  #bytes = 0;
  #spilledBytes = 0;
  #spilledTotal = 0;
  #sink: ByteSink | undefined;
  #dir: string | undefined;
  #madeDir = false;
  #segment: SpillSegment | undefined;
  #segments: SpillSegment[] = [];
  #segmentCount = 0;
  #peakBytes = 0;
  #peakBytesLength = 0;
  #peakLength = 0;
  #encodedStates = 0;

  /** Creates an empty frontier. */
  constructor(options: FrontierOptions<S> = {}) {
    this.#mode = options.mode ?? "auto";
    this.#encodeAfter = this.#mode === "encoded"
      ? 0
      : this.#mode === "live"
      ? Infinity
      : AUTO_ENCODE_AFTER;
    this.#codec = options.codec ?? (STRUCTURAL_CODEC as StateCodec<S>);
    this.#spillDir = options.spillDir;
    this.#bytesMode = options.bytes === true;
    if (this.#bytesMode) this.#tailSink = new ByteSink();
  }

  /** Number of queued entries. */
  get length(): number {
    return this.#length;
  }

  /** Index (counting every entry ever pushed) of the entry `shift` returns next. */
  get nextIndex(): number {
    return this.#shifted;
  }

  /** Bytes of encoded chunks held in memory. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes of chunks currently spilled to disk. */
  get spilledBytes(): number {
    return this.#spilledBytes;
  }

  /** Bytes ever spilled to disk. */
  get spilledTotal(): number {
    return this.#spilledTotal;
  }

  /** The most encoded bytes held in memory at once, with the queue length at that moment. */
  get peak(): { readonly bytes: number; readonly length: number } {
    return { bytes: this.#peakBytes, length: this.#peakBytesLength };
  }

  /** The longest the queue was. */
  get peakLength(): number {
    return this.#peakLength;
  }

  /** States encoded so far. */
  get encodedStates(): number {
    return this.#encodedStates;
  }

  /** Bytes of every chunk encoded so far. */
  get encodedBytes(): number {
    return this.#encodedBytesTotal;
  }

  /** Average encoded bytes per state over every chunk sealed so far (0 before the first). */
  get bytesPerEncodedState(): number {
    return this.#encodedStates === 0 ? 0 : this.#encodedBytesTotal / this.#encodedStates;
  }

  #encodedBytesTotal = 0;

  /** Where queued states were kept, for result scopes. */
  get storage(): string {
    const where = this.#bytesMode
      ? "memory, the canonical codec's bytes"
      : this.#encodedStates > 0
      ? "memory, encoded chunks"
      : "memory, live objects";
    return `${this.#bytesMode ? "bytes" : this.#mode}: ${where}${
      this.#spilledTotal > 0 ? " + disk (spilled)" : ""
    }`;
  }

  /** Appends an entry. */
  push(state: S | undefined): void {
    if (this.#bytesMode) {
      const sink = this.#tailSink!;
      if (state === undefined) sink.u8(ENTRY_SKIPPED);
      else {
        sink.u8(ENTRY_STATE);
        sink.beginEntry();
        this.#codec.encode(state, sink);
      }
      this.#pushed();
      return;
    }
    this.#tail.push(state);
    if (++this.#length > this.#peakLength) this.#peakLength = this.#length;
    if (this.#tail.length === CHUNK_STATES) this.#seal();
  }

  /**
   * Appends a state given as its self-contained encoding `bytes[from..to)` (bytes mode only):
   * what the codec wrote for it into a sink after `beginEntry`.
   */
  pushBytes(bytes: Uint8Array, from: number, to: number): void {
    if (!this.#bytesMode) throw new TypeError("Cannot push bytes into a frontier of objects");
    const sink = this.#tailSink!;
    sink.u8(ENTRY_STATE);
    sink.copy(bytes, from, to);
    this.#pushed();
  }

  #pushed(): void {
    if (++this.#length > this.#peakLength) this.#peakLength = this.#length;
    if (++this.#tailCount === CHUNK_STATES) this.#sealBytes();
  }

  /** Bytes mode: the tail sink becomes a sealed chunk. */
  #sealBytes(): void {
    const sink = this.#tailSink!;
    const chunk: Chunk<S> = { count: this.#tailCount, bytes: sink.bytes(), entries: true };
    sink.reset();
    this.#tailCount = 0;
    this.#chunks.push(chunk);
    this.#bytes += chunk.bytes!.length;
    this.#encodedStates += chunk.count;
    this.#encodedBytesTotal += chunk.bytes!.length;
    if (this.#bytes > this.#peakBytes) {
      this.#peakBytes = this.#bytes;
      this.#peakBytesLength = this.#length;
    }
  }

  #seal(): void {
    const live = this.#tail;
    this.#tail = [];
    const chunk: Chunk<S> = { count: live.length, live };
    // The chunk read next after the head stays live: encoding it would not save memory for long.
    if (this.#length > this.#encodeAfter && this.#chunks.length > 0) this.#encode(chunk);
    this.#chunks.push(chunk);
  }

  #encode(chunk: Chunk<S>): void {
    const live = chunk.live!;
    const sink = this.#sink ??= new ByteSink();
    sink.reset();
    const codec = this.#codec;
    for (let i = 0; i < live.length; i++) {
      const state = live[i];
      if (state === undefined) sink.u8(ENTRY_SKIPPED);
      else {
        sink.u8(ENTRY_STATE);
        codec.encode(state, sink);
      }
    }
    chunk.bytes = sink.bytes();
    chunk.live = undefined;
    this.#bytes += chunk.bytes.length;
    this.#encodedStates += chunk.count;
    this.#encodedBytesTotal += chunk.bytes.length;
    if (this.#bytes > this.#peakBytes) {
      this.#peakBytes = this.#bytes;
      this.#peakBytesLength = this.#length;
    }
  }

  /** Removes and returns the oldest entry (`undefined` when empty or for a skipped slot). */
  shift(): S | undefined {
    if (this.#length === 0) return undefined;
    let head = this.#head;
    if (head === undefined || this.#headAt === head.count) head = this.#nextHead();
    this.#length--;
    this.#shifted++;
    const at = this.#headAt++;
    if (head.live !== undefined) {
      const state = head.live[at];
      head.live[at] = undefined;
      return state;
    }
    const source = this.#source!;
    if (source.u8() === ENTRY_SKIPPED) return undefined;
    if (head.entries) source.beginEntry();
    return this.#codec.decode(source);
  }

  #nextHead(): Chunk<S> {
    this.#source = undefined;
    if (this.#chunks.length === 0 && this.#bytesMode) this.#sealBytes(); // read the tail next
    let chunk = this.#chunks.shift();
    if (chunk === undefined) {
      // Only the tail is left: read it as it is.
      chunk = { count: this.#tail.length, live: this.#tail };
      this.#tail = [];
    } else if (chunk.live === undefined) {
      if (chunk.bytes === undefined) {
        const where = chunk.spilled!;
        chunk.bytes = where.segment.read(where.offset, where.length);
        where.segment.release();
        this.#spilledBytes -= where.length;
        chunk.spilled = undefined;
      } else {
        this.#bytes -= chunk.bytes.length;
      }
      this.#source = new ByteSource(chunk.bytes);
    }
    this.#head = chunk;
    this.#headAt = 0;
    return chunk;
  }

  /**
   * Encodes every live sealed chunk and moves encoded chunks to disk, newest first, until at most
   * `keepBytes` encoded bytes stay in memory. Returns the bytes moved to disk.
   */
  spill(keepBytes = 0): number {
    for (const chunk of this.#chunks) if (chunk.live !== undefined) this.#encode(chunk);
    let moved = 0;
    for (let i = this.#chunks.length - 1; i >= 0 && this.#bytes > keepBytes; i--) {
      const chunk = this.#chunks[i];
      if (chunk.bytes === undefined) continue;
      const segment = this.#openSegment();
      const offset = segment.append(chunk.bytes);
      chunk.spilled = { segment, offset, length: chunk.bytes.length };
      this.#bytes -= chunk.bytes.length;
      this.#spilledBytes += chunk.bytes.length;
      this.#spilledTotal += chunk.bytes.length;
      moved += chunk.bytes.length;
      chunk.bytes = undefined;
    }
    return moved;
  }

  #openSegment(): SpillSegment {
    const current = this.#segment;
    if (current !== undefined && current.size < SEGMENT_BYTES) return current;
    if (current !== undefined) {
      current.closed = true;
      if (current.pending === 0) current.remove();
    }
    if (this.#dir === undefined) {
      // A folder of its own: frontiers that share a spill directory never touch each other's
      // files, and each removes its own folder when it closes.
      if (this.#spillDir === undefined) {
        this.#dir = Deno.makeTempDirSync({ prefix: "leasecheck-frontier-" });
      } else {
        Deno.mkdirSync(this.#spillDir, { recursive: true });
        this.#dir = Deno.makeTempDirSync({ dir: this.#spillDir, prefix: "frontier-" });
      }
      this.#madeDir = true;
    }
    const segment = new SpillSegment(`${this.#dir}/segment-${this.#segmentCount++}.bin`);
    this.#segment = segment;
    this.#segments.push(segment);
    return segment;
  }

  /** Deletes every spill file (and the temporary directory it made). */
  close(): void {
    for (const segment of this.#segments) segment.remove();
    this.#segments = [];
    this.#segment = undefined;
    if (this.#dir !== undefined && this.#madeDir) {
      try {
        Deno.removeSync(this.#dir, { recursive: true });
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    this.#dir = undefined;
    this.#madeDir = false;
  }
}
