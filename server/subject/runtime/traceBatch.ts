/**
 * How trace events travel from a subject process to its supervisor: one flat array of
 * primitives per batch, not an array of event objects.
 *
 * Why: at the highest throughput a request makes ~9 events, and IPC's structured clone of
 * an object costs about a microsecond on each side (every property name is written and
 * read back, objects rebuilt key by key). A flat array of numbers and strings crosses for
 * about half that, and the subject never builds the event objects at all; the supervisor
 * builds them once, with the exact shapes of common/trace.ts, before anyone sees them.
 *
 * Each event is written as: type code, t, then the values of its type's fields in the
 * order the schema declares them (rid included, worker left out: a batch carries it once).
 * The field lists are read from the schema itself, so a field added to the contract
 * travels without a change here. Absent optional fields travel as undefined (or null over
 * a JSON channel, e.g. node:cluster's) and are left out again on arrival.
 */
import { type TraceEvent, type TraceEventType, traceEventSchema } from '../../../common/trace';

export interface TraceBatch {
  /** Which subject process wrote every event of the batch. */
  worker: number;
  /** Events, flattened as described above. */
  data: unknown[];
}

export interface Layout {
  type: TraceEventType;
  code: number;
  /** The event's own fields, without type, t and worker. */
  fields: string[];
}

const LAYOUTS: Layout[] = traceEventSchema.options.map((option, code) => ({
  type: option.shape.type.value,
  code,
  fields: Object.keys(option.shape).filter((key) => key !== 'type' && key !== 't' && key !== 'worker'),
}));
/** The wire layouts, for a subject written in another language (the Tornado subject gets them in its spec). */
export function batchLayouts(): readonly Layout[] {
  return LAYOUTS;
}
const BY_TYPE = new Map(LAYOUTS.map((layout) => [layout.type, layout]));

/** Appends one event to a batch's data: its fields from `event`, its time `t`, and `rid` for its rid field. */
export function appendEvent(data: unknown[], event: { type: TraceEventType }, t: number, rid?: string): void {
  const layout = BY_TYPE.get(event.type)!;
  data.push(layout.code, t);
  for (const field of layout.fields) data.push(field === 'rid' ? rid : (event as Record<string, unknown>)[field]);
}

/** The batch's events as the trace contract shapes them. */
export function unpackBatch({ worker, data }: TraceBatch): TraceEvent[] {
  const events: TraceEvent[] = [];
  let at = 0;
  while (at < data.length) {
    const layout = LAYOUTS[data[at] as number];
    if (!layout) throw new Error(`trace batch: unknown event code ${String(data[at])} at ${at}`);
    const event: Record<string, unknown> = { type: layout.type, t: data[at + 1], worker };
    at += 2;
    for (const field of layout.fields) {
      const value = data[at++];
      if (value !== undefined && value !== null) event[field] = value;
    }
    events.push(event as TraceEvent);
  }
  return events;
}
