/**
 * Splits a TCP byte stream into MongoDB wire-protocol frames.
 *
 * Every message starts with a 16-byte header whose first int32 is the total length.
 * Chunks are kept in a list and joined once per frame: joining on every chunk would
 * copy a 48 MB insert hundreds of times.
 */

export const HEADER_SIZE = 16;
/** mongod's maxMessageSizeBytes; anything longer is refused before it is buffered. */
export const MAX_MESSAGE_SIZE = 48_000_000;

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;
/** OP_MSG and OP_QUERY run; the other legacy opcodes are read so they can be answered with an error. */
const KNOWN_OPCODES = new Set([OP_QUERY, OP_MSG, 2001, 2002, 2005, 2006, 2007]);

export interface Frame {
  requestId: number;
  responseTo: number;
  opCode: number;
  /** The bytes after the header. */
  body: Buffer;
}

/** Raised for bytes that cannot be a valid message: the connection must be closed. */
export class FrameError extends Error {}

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Bytes received that do not yet form a whole frame (non-zero at close means truncated). */
  get pending(): number {
    return this.buffered;
  }

  /** Adds bytes and returns every frame they complete; throws FrameError on a malformed header. */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    while (this.buffered >= HEADER_SIZE) {
      const head = this.peekHeader();
      const length = head.readInt32LE(0);
      if (length < HEADER_SIZE + 5) throw new FrameError(`message length ${length} is too small`);
      if (length > MAX_MESSAGE_SIZE) throw new FrameError(`message length ${length} exceeds ${MAX_MESSAGE_SIZE} bytes`);
      const opCode = head.readInt32LE(12);
      if (!KNOWN_OPCODES.has(opCode)) {
        throw new FrameError(opCode === OP_COMPRESSED ? 'compression was not negotiated' : `unknown opcode ${opCode}`);
      }
      if (this.buffered < length) break;
      const whole = this.take(length);
      frames.push({
        requestId: whole.readInt32LE(4),
        responseTo: whole.readInt32LE(8),
        opCode,
        body: whole.subarray(HEADER_SIZE),
      });
    }
    return frames;
  }

  private peekHeader(): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= HEADER_SIZE) return first;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(length: number): Buffer {
    let first = this.chunks[0]!;
    if (first.length < length) {
      first = Buffer.concat(this.chunks);
      this.chunks = [first];
    }
    const frame = first.subarray(0, length);
    if (first.length === length) this.chunks.shift();
    else this.chunks[0] = first.subarray(length);
    this.buffered -= length;
    return frame;
  }
}
