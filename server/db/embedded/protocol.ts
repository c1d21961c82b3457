/**
 * OP_MSG and the legacy OP_QUERY/OP_REPLY: turn frame bodies into command documents
 * and command replies into bytes.
 * https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/
 */
import { BSON, type Document } from 'bson';
import { decodeDocument } from './bson/wire';
import { type Frame, FrameError, HEADER_SIZE, OP_MSG, OP_QUERY, OP_REPLY } from './framing';

const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;
/** Bits 0-15 are "required": a receiver must fail on any it does not know. */
const KNOWN_REQUIRED_BITS = CHECKSUM_PRESENT | MORE_TO_COME;

export interface CommandRequest {
  kind: 'msg' | 'query';
  requestId: number;
  /** The command, with kind-1 document sequences merged in as arrays. */
  command: Document;
  /** OP_MSG moreToCome: the client expects no reply at all. */
  noReply: boolean;
}

/** A legacy operation (OP_QUERY on a collection, OP_GET_MORE, OP_INSERT...): answered with an error, not run. */
export interface LegacyRequest {
  kind: 'legacy';
  requestId: number;
  description: string;
  /** OP_INSERT, OP_UPDATE, OP_DELETE and OP_KILL_CURSORS never get a reply. */
  noReply: boolean;
}

export type Request = CommandRequest | LegacyRequest;

function readBson(buf: Buffer, offset: number, end: number): { doc: Document; next: number } {
  if (offset + 5 > end) throw new FrameError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new FrameError(`BSON document length ${size} overruns the message`);
  try {
    return { doc: decodeDocument(buf.subarray(offset, offset + size)), next: offset + size };
  } catch (error) {
    throw new FrameError(`invalid BSON: ${(error as Error).message}`);
  }
}

function readCString(buf: Buffer, offset: number, end: number): { value: string; next: number } {
  const zero = buf.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw new FrameError('unterminated C string');
  return { value: buf.toString('utf8', offset, zero), next: zero + 1 };
}

function parseMsg(frame: Frame): CommandRequest {
  const { body } = frame;
  const flags = body.readUInt32LE(0);
  if ((flags & 0xffff & ~KNOWN_REQUIRED_BITS) !== 0) throw new FrameError(`unknown required OP_MSG flag bits ${flags}`);
  const end = flags & CHECKSUM_PRESENT ? body.length - 4 : body.length;
  let offset = 4;
  let command: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = body[offset++];
    if (kind === 0) {
      if (command) throw new FrameError('OP_MSG has more than one body section');
      const read = readBson(body, offset, end);
      command = read.doc;
      offset = read.next;
    } else if (kind === 1) {
      if (offset + 4 > end) throw new FrameError('truncated document sequence');
      const sectionEnd = offset + body.readInt32LE(offset);
      if (sectionEnd > end || sectionEnd < offset + 5) throw new FrameError('document sequence overruns the message');
      const id = readCString(body, offset + 4, sectionEnd);
      const docs: Document[] = [];
      let at = id.next;
      while (at < sectionEnd) {
        const read = readBson(body, at, sectionEnd);
        docs.push(read.doc);
        at = read.next;
      }
      sequences.push([id.value, docs]);
      offset = sectionEnd;
    } else {
      throw new FrameError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!command) throw new FrameError('OP_MSG without a body section');
  for (const [id, docs] of sequences) command[id] = docs;
  return { kind: 'msg', requestId: frame.requestId, command, noReply: (flags & MORE_TO_COME) !== 0 };
}

function parseQuery(frame: Frame): Request {
  const { body } = frame;
  const ns = readCString(body, 4, body.length);
  if (!ns.value.endsWith('.$cmd')) {
    return {
      kind: 'legacy',
      requestId: frame.requestId,
      description: `OP_QUERY on ${ns.value} (a legacy find or exhaust cursor)`,
      noReply: false,
    };
  }
  // flags (4) + namespace + numberToSkip (4) + numberToReturn (4), then the query document.
  const { doc } = readBson(body, ns.next + 8, body.length);
  // Legacy drivers may wrap the command as { $query: {...}, $readPreference: ... }.
  const command = (doc.$query ?? doc) as Document;
  command.$db ??= ns.value.slice(0, -'.$cmd'.length);
  return { kind: 'query', requestId: frame.requestId, command, noReply: false };
}

export function parseRequest(frame: Frame): Request {
  if (frame.opCode === OP_MSG) return parseMsg(frame);
  if (frame.opCode === OP_QUERY) return parseQuery(frame);
  const legacy = LEGACY_OPCODES[frame.opCode];
  if (legacy) return { kind: 'legacy', requestId: frame.requestId, description: legacy.name, noReply: legacy.noReply };
  throw new FrameError(`unknown opcode ${frame.opCode}`);
}

let nextRequestId = 1;
const QUERY_FAILURE = 1 << 1;

/** Opcodes MongoDB 6 removed, which old clients may still send. */
const LEGACY_OPCODES: Record<number, { name: string; noReply: boolean }> = {
  2001: { name: 'OP_UPDATE', noReply: true },
  2002: { name: 'OP_INSERT', noReply: true },
  2005: { name: 'OP_GET_MORE', noReply: false },
  2006: { name: 'OP_DELETE', noReply: true },
  2007: { name: 'OP_KILL_CURSORS', noReply: true },
};

/** One buffer for the whole message: header, `prefix` bytes (zeroed, then `fill`s them), then `doc`. */
function message(opCode: number, responseTo: number, prefix: number, doc: Uint8Array): Buffer {
  const length = HEADER_SIZE + prefix + doc.length;
  const out = Buffer.allocUnsafe(length);
  out.writeInt32LE(length, 0);
  out.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(opCode, 12);
  out.fill(0, HEADER_SIZE, HEADER_SIZE + prefix);
  out.set(doc, HEADER_SIZE + prefix);
  return out;
}

/** OP_REPLY with the QueryFailure flag: how a legacy client learns its operation failed. */
export function encodeLegacyFailure(request: LegacyRequest, text: string): Buffer {
  const out = message(
    OP_REPLY,
    request.requestId,
    20,
    BSON.serialize({ $err: text, code: 352, codeName: 'UnsupportedOpQueryCommand', ok: 0 }),
  );
  out.writeInt32LE(QUERY_FAILURE, HEADER_SIZE);
  out.writeInt32LE(1, HEADER_SIZE + 16);
  return out;
}

/** Encodes a reply in the same framing as the request it answers. */
export function encodeReply(request: CommandRequest, reply: Document): Buffer {
  const doc = BSON.serialize(reply);
  // OP_MSG: flagBits 0, then section kind 0.
  if (request.kind === 'msg') return message(OP_MSG, request.requestId, 5, doc);
  // OP_REPLY: responseFlags 0, cursorID (int64 0), startingFrom 0, numberReturned 1.
  const out = message(OP_REPLY, request.requestId, 20, doc);
  out.writeInt32LE(1, HEADER_SIZE + 16);
  return out;
}
