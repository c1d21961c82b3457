/**
 * Recorded lesson runs: real traces from the live lab (scripts/record-lessons.ts),
 * committed under public/recordings/ and served beside the static build. When no lab
 * server answers, "Run this experiment" replays the step's recording instead.
 */
import type { TraceEvent } from '../../common/trace';
import { parseTraceLines } from '../trace/store';

export const RECORDINGS_VERSION = 1;
/** Where the build serves public/recordings/ from. */
export const RECORDINGS_URL = '/recordings';

export interface RecordingEntry {
  /** Path under public/recordings/, e.g. `the-blocking-call/2.jsonl` (or `….jsonl.gz` for a large run). */
  file: string;
  /** The run id the lab gave the run when it was recorded. */
  runId: string;
  requests: number;
  /** Size of the file as committed (gzipped for a large run). */
  bytes: number;
}

export interface RecordingIndex {
  version: number;
  /** ISO time of the last `npm run record:lessons`. */
  recordedAt: string;
  /** Which database the lab used (embedded, memory-server, external). */
  database: string;
  /** By `<lesson id>/<step>`. */
  steps: Record<string, RecordingEntry>;
}

export const recordingKey = (lessonId: string, step: number) => `${lessonId}/${step}`;
export const recordingPath = (lessonId: string, step: number) => `${lessonId}/${step}.jsonl`;

let indexRequest: Promise<RecordingIndex | undefined> | undefined;

/** The recordings' index (which steps are gzipped), fetched once; undefined if it cannot be read. */
function recordingIndex(): Promise<RecordingIndex | undefined> {
  indexRequest ??= fetch(`${RECORDINGS_URL}/index.json`)
    .then((response) => (response.ok ? (response.json() as Promise<RecordingIndex>) : undefined))
    .catch(() => undefined);
  return indexRequest;
}

/**
 * A recording's text. Large runs are committed gzipped (`.gz`) and unzipped here, by their
 * bytes rather than their name: a host that serves `.gz` files with Content-Encoding has had
 * the browser unzip them already.
 */
export async function recordingText(response: Response): Promise<string> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return new TextDecoder().decode(bytes);
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
}

/** Fetches and parses a step's recorded trace from the static site. */
export async function fetchRecording(lessonId: string, step: number, signal?: AbortSignal): Promise<TraceEvent[]> {
  const file = (await recordingIndex())?.steps[recordingKey(lessonId, step)]?.file ?? recordingPath(lessonId, step);
  const url = `${RECORDINGS_URL}/${file}`;
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new Error(`the recording ${url} cannot be fetched`, { cause: error });
  }
  if (!response.ok) throw new Error(`there is no recording for this step (${url} answered ${response.status})`);
  const events = parseTraceLines(await recordingText(response));
  if (!events.some((event) => event.type === 'run.started')) throw new Error(`${url} is not a recorded run`);
  return events;
}
