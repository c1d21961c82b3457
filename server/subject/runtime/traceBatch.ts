/**
 * How trace events travel from a subject process to its supervisor: a binary batch, one
 * Float64Array of numbers plus a table of the batch's distinct strings, not event objects.
 *
 * Why: at the highest throughput a request makes ~9 events. Sent as objects, or as a flat
 * array of mixed values, IPC's structured clone writes and reads every value on its own and
 * the receiving process rebuilds every string (the request id nine times a request): that
 * cost 10-26 µs a request in the lab. A Float64Array crosses as one block of bytes, and a
 * string crosses once a batch, however many events name it. The subject never builds an
 * event object; the supervisor builds each one once, with the exact shape and key order of
 * common/trace.ts, before anyone sees it.
 *
 * Each event is written as numbers: its type code, t, then one number per field of its type,
 * in the order the schema declares them (rid included, worker left out: a batch carries it
 * once). A string field is its index in `strings`, a boolean 1 or 0, a number itself, and an
 * absent optional field NaN (the schema allows no NaN anywhere). The field lists and kinds
 * are read from the schema itself, so a field added to the contract travels without a change
 * here. Over a JSON channel (the Tornado subject's) `numbers` travels as the base64 of its
 * bytes in the machine's byte order: both ends run on one machine.
 */
import { type TraceEvent, type TraceEventType, traceEventSchema } from '../../../common/trace';

export interface TraceBatch {
  /** Which subject process wrote every event of the batch. */
  worker: number;
  /** How many events the batch holds. */
  count: number;
  /** The events' numbers, as described above; or the base64 of their bytes. */
  numbers: Float64Array | string;
  /** The distinct strings the events name, each once. */
  strings: string[];
}

export type FieldKind = 'number' | 'string' | 'boolean';

export interface Layout {
  type: TraceEventType;
  code: number;
  /** The event's own fields, without type, t and worker. */
  fields: string[];
  /** How each field is written (same order as fields). */
  kinds: FieldKind[];
  /** Which fields may be absent. */
  optional: boolean[];
}

interface ZodDef {
  type: string;
  innerType?: { def: ZodDef };
}

/** A field's kind on the wire, or undefined when it is not a plain value (such an event cannot travel here). */
function kindOf(def: ZodDef): { kind: FieldKind; optional: boolean } | undefined {
  const optional = def.type === 'optional';
  const inner = optional ? def.innerType!.def : def;
  if (inner.type === 'number') return { kind: 'number', optional };
  if (inner.type === 'boolean') return { kind: 'boolean', optional };
  if (inner.type === 'string' || inner.type === 'enum' || inner.type === 'literal') return { kind: 'string', optional };
  return undefined;
}

/** The layouts of every event type whose fields are all plain values (the subject's events among them). */
const LAYOUTS: Layout[] = traceEventSchema.options.flatMap((option, code) => {
  const fields = Object.keys(option.shape).filter((key) => key !== 'type' && key !== 't' && key !== 'worker');
  const kinds = fields.map((field) => kindOf((option.shape as Record<string, { def: ZodDef }>)[field]!.def));
  if (kinds.some((kind) => !kind)) return [];
  return [
    {
      type: option.shape.type.value,
      code,
      fields,
      kinds: kinds.map((kind) => kind!.kind),
      optional: kinds.map((kind) => kind!.optional),
    },
  ];
});
/** The wire layouts, for a subject written in another language (the Tornado subject gets them in its spec). */
export function batchLayouts(): readonly Layout[] {
  return LAYOUTS;
}

/** Writes one event's numbers from `at` on (the fields from `e`, `rid` for its rid field); returns where it ended. */
type Write = (
  n: Float64Array,
  at: number,
  e: Record<string, unknown>,
  t: number,
  rid: string | undefined,
  str: (value: string) => number,
) => number;

/**
 * One writer per layout, generated from the schema as the builders below are: the fields are
 * read by name, in a function of their own per event type, so each property read sees one
 * shape of object instead of every type's.
 */
function writerFor(layout: Layout): Write {
  const lines = layout.fields.map((field, i) => {
    const slot = `n[at + ${i + 2}]`;
    const value = field === 'rid' ? 'rid' : `e[${JSON.stringify(field)}]`;
    const written = layout.kinds[i] === 'string' ? 'str(v)' : layout.kinds[i] === 'boolean' ? '(v ? 1 : 0)' : 'v';
    return `v = ${value}; ${slot} = v === undefined || v === null ? NaN : ${written};`;
  });
  const body = `let v;\nn[at] = ${layout.code};\nn[at + 1] = t;\n${lines.join('\n')}\nreturn at + ${2 + layout.fields.length};`;
  // The source is built from the schema's own field names (quoted), never from an event's content.
  return new Function('n', 'at', 'e', 't', 'rid', 'str', body) as Write;
}

const WRITERS = new Map<TraceEventType, { slots: number; write: Write }>(
  LAYOUTS.map((layout) => [layout.type, { slots: 2 + layout.fields.length, write: writerFor(layout) }]),
);
const MOST_SLOTS = Math.max(...[...WRITERS.values()].map((writer) => writer.slots));
/** How many of the strings last asked for a writer finds by identity alone (BatchWriter.str). */
const RECENT = 16;

/**
 * The layout of an event type a writer writes field by field (`BatchWriter.put`), checked
 * against the schema when the writer's module loads: a change to the contract that the writer
 * does not follow fails at once, everywhere, rather than sending misplaced numbers.
 */
export function layoutOf(type: TraceEventType, fields: readonly string[]): Layout {
  const layout = LAYOUTS.find((candidate) => candidate.type === type);
  if (!layout || layout.fields.join() !== fields.join()) {
    throw new Error(`trace batch: ${type} is laid out as ${layout?.fields.join() ?? 'nothing'}, not ${fields.join()}`);
  }
  return layout;
}

/** Collects events into one batch at a time; `take` hands the batch over and starts the next. */
export class BatchWriter {
  private numbers: Float64Array;
  private length = 0;
  private strings: string[] = [];
  private stringIndex = new Map<string, number>();
  /**
   * The strings last asked for and their indexes, a ring. Nearly all are a handful of
   * constants (route, mode, handler, step and operation names) asked for on every request:
   * comparing a few references is cheaper than hashing into the Map, which cost the subject
   * ~1.7 µs a request (bench/tracingProfile.ts).
   */
  private readonly recent: string[] = Array.from({ length: RECENT }, () => '');
  private readonly recentIndex = new Int32Array(RECENT);
  private recentNext = 0;
  /**
   * How many of `recent` belong to this batch, the only ones compared: the ring holds strings
   * only, so each comparison is one of two strings (V8's fast path) and never a string against
   * an empty slot's undefined, which sends every comparison to the generic StrictEqual builtin
   * (~0.3-0.6 µs a request, bench/tracingProfile.ts).
   */
  private recentLength = 0;
  /** Events in the current batch. */
  count = 0;
  /** Which batch is being written (counts `take`s): a string's index holds within one batch only. */
  batch = 0;

  constructor(expectedEvents = 256) {
    this.numbers = new Float64Array(expectedEvents * MOST_SLOTS);
  }

  /** Appends one event: its fields from `event`, its time `t`, and `rid` for its rid field. */
  append(event: { type: TraceEventType }, t: number, rid?: string): void {
    const writer = WRITERS.get(event.type);
    if (!writer) throw new Error(`trace batch: ${event.type} events cannot travel in a batch`);
    if (this.length + writer.slots > this.numbers.length) this.grow();
    this.length = writer.write(this.numbers, this.length, event as Record<string, unknown>, t, rid, this.str);
    this.count += 1;
  }

  /**
   * Appends one event of `code` at time `t` from its field numbers, in its layout's order:
   * the first `fields` of a, b, c (a string as `str`'s index, a boolean 1 or 0, an absent
   * field NaN). The subject's request events go this way (tracer.ts): no event object is
   * built, and nothing is looked up by name.
   */
  put(code: number, t: number, fields: number, a: number, b = NaN, c = NaN): void {
    if (this.length + 5 > this.numbers.length) this.grow();
    const n = this.numbers;
    const at = this.length;
    n[at] = code;
    n[at + 1] = t;
    n[at + 2] = a;
    if (fields > 1) n[at + 3] = b;
    if (fields > 2) n[at + 4] = c;
    this.length = at + 2 + fields;
    this.count += 1;
  }

  /** The batch so far (copied out), for the process `worker`; the writer starts a new one. */
  take(worker: number): TraceBatch {
    const batch = { worker, count: this.count, numbers: this.numbers.slice(0, this.length), strings: this.strings };
    this.length = 0;
    this.count = 0;
    this.batch += 1;
    this.strings = [];
    this.stringIndex.clear();
    this.recentLength = 0;
    this.recentNext = 0;
    return batch;
  }

  /** `value`'s index in this batch's strings (added if new). */
  readonly str = (value: string): number => {
    const recent = this.recent;
    const length = this.recentLength;
    for (let i = 0; i < length; i++) if (recent[i] === value) return this.recentIndex[i]!;
    let index = this.stringIndex.get(value);
    if (index === undefined) {
      index = this.add(value);
      this.stringIndex.set(value, index);
    }
    recent[this.recentNext] = value;
    this.recentIndex[this.recentNext] = index;
    this.recentNext = (this.recentNext + 1) % RECENT;
    if (length < RECENT) this.recentLength = length + 1;
    return index;
  };

  /**
   * Adds `value` to this batch's strings without looking for it first: for a string the
   * caller writes once a batch (a request's id, tracer.ts), which would only crowd out the
   * constants above. Were it there already, it would travel twice, which is harmless.
   */
  add(value: string): number {
    this.strings.push(value);
    return this.strings.length - 1;
  }

  private grow(): void {
    const bigger = new Float64Array(this.numbers.length * 2);
    bigger.set(this.numbers.subarray(0, this.length));
    this.numbers = bigger;
  }
}

type Build = (numbers: Float64Array, at: number, strings: string[], worker: number) => TraceEvent;

/**
 * One builder per layout, generated from the schema: an object literal in the contract's key
 * order (type, t, worker, then the fields), so every event of a type is built alike, with one
 * hidden class, instead of key by key. Absent optional fields are left out, not undefined.
 */
function builderFor(layout: Layout): Build {
  const read = (i: number): string => {
    const value = `n[a + ${i + 2}]`;
    return layout.kinds[i] === 'string' ? `s[${value}]` : layout.kinds[i] === 'boolean' ? `${value} === 1` : value;
  };
  const firstOptional = layout.optional.indexOf(true);
  const inLiteral = firstOptional === -1 ? layout.fields.length : firstOptional;
  const literal = [
    `type: ${JSON.stringify(layout.type)}`,
    't: n[a + 1]',
    'worker: w',
    ...layout.fields.slice(0, inLiteral).map((field, i) => `${JSON.stringify(field)}: ${read(i)}`),
  ];
  const after = layout.fields.slice(inLiteral).map((field, offset) => {
    const i = inLiteral + offset;
    const set = `e[${JSON.stringify(field)}] = ${read(i)};`;
    return layout.optional[i] ? `if (n[a + ${i + 2}] === n[a + ${i + 2}]) ${set}` : set;
  });
  const body = `const e = { ${literal.join(', ')} };\n${after.join('\n')}\nreturn e;`;
  // The source is built from the schema's own field names (quoted), never from a batch's content.
  return new Function('n', 'a', 's', 'w', body) as Build;
}

const BY_CODE: Array<{ slots: number; build: Build } | undefined> = [];
for (const layout of LAYOUTS) BY_CODE[layout.code] = { slots: 2 + layout.fields.length, build: builderFor(layout) };

/** `numbers` as a Float64Array, whichever way it travelled. */
function numbersOf(numbers: Float64Array | string): Float64Array {
  if (typeof numbers !== 'string') return numbers;
  const bytes = Buffer.from(numbers, 'base64');
  if (bytes.length % 8 !== 0) throw new Error('trace batch: numbers are not whole float64s');
  // A copy: Buffer.from may place the bytes at an offset a Float64Array cannot start at.
  const copy = new Float64Array(bytes.length / 8);
  new Uint8Array(copy.buffer).set(bytes);
  return copy;
}

/** The batch's events as the trace contract shapes them. */
export function unpackBatch(batch: TraceBatch): TraceEvent[] {
  const numbers = numbersOf(batch.numbers);
  const { strings, worker } = batch;
  const events: TraceEvent[] = [];
  let at = 0;
  while (at < numbers.length) {
    const layout = BY_CODE[numbers[at]!];
    if (!layout) throw new Error(`trace batch: unknown event code ${numbers[at]} at ${at}`);
    if (at + layout.slots > numbers.length) throw new Error(`trace batch: the last event is cut short at ${at}`);
    events.push(layout.build(numbers, at, strings, worker));
    at += layout.slots;
  }
  return events;
}
