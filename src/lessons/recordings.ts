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
  /** Path under public/recordings/, e.g. `the-blocking-call/2.jsonl`. */
  file: string;
  /** The run id the lab gave the run when it was recorded. */
  runId: string;
  requests: number;
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

/** Fetches and parses a step's recorded trace from the static site. */
export async function fetchRecording(lessonId: string, step: number, signal?: AbortSignal): Promise<TraceEvent[]> {
  const url = `${RECORDINGS_URL}/${recordingPath(lessonId, step)}`;
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new Error(`the recording ${url} cannot be fetched`, { cause: error });
  }
  if (!response.ok) throw new Error(`there is no recording for this step (${url} answered ${response.status})`);
  const events = parseTraceLines(await response.text());
  if (!events.some((event) => event.type === 'run.started')) throw new Error(`${url} is not a recorded run`);
  return events;
}
