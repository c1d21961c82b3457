/**
 * "Open the full lab" on the run a lesson shows: `/?run=<id>` for a run the lab stored,
 * `/?recording=<lesson>/<step>` for a lesson's recording (a static build has no stored
 * runs). The lab page reads these back (useRunFromLink) and puts that run on screen, so a
 * new tab opens the same run, not an empty lab.
 */
export interface LabLink {
  runId?: string | undefined;
  recording?: { lessonId: string; step: number } | undefined;
}

export function labLinkFor(link: LabLink): string {
  if (link.recording) return `/?recording=${encodeURIComponent(link.recording.lessonId)}/${link.recording.step}`;
  if (link.runId) return `/?run=${encodeURIComponent(link.runId)}`;
  return '/';
}

export function parseLabLink(search: string): LabLink {
  const params = new URLSearchParams(search);
  const recording = /^([a-z0-9-]{1,80})\/(\d{1,2})$/.exec(params.get('recording') ?? '');
  if (recording) return { recording: { lessonId: recording[1]!, step: Number(recording[2]) } };
  const runId = params.get('run');
  return runId && runId.length <= 100 ? { runId } : {};
}
