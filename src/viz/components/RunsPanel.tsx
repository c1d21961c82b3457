import { useSelector } from '@xstate/react';
import { useEffect, useState, type RefObject } from 'react';
import type { RunSummary } from '../../../common/api';
import { api, ApiError } from '../../api/client';
import { useLab } from '../../lab/LabContext';
import { parseTraceLines } from '../../trace/store';
import { formatMs } from '../layout/timelineLayout';

/** "blocking, 100 ms, 21:03:15": a run named by what a reader chose and when, not by its id. */
export function runName(run: Pick<RunSummary, 'config' | 'startedAt'>): string {
  const time = new Date(run.startedAt).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const runtime = run.config.runtime === 'tornado' ? 'Tornado, ' : '';
  return `${runtime}${run.config.mode === 'blocking' ? 'blocking' : 'non-blocking'}, ${run.config.dbLatencyMs} ms, ${time}`;
}

/** Stored runs to replay, plus export and import of trace files. */
export function RunsPanel({
  importRef,
  onExport,
  onExportSvg,
  onExportPng,
}: {
  importRef: RefObject<HTMLInputElement | null>;
  onExport: () => void;
  onExportSvg: () => void;
  onExportPng: () => void;
}) {
  const lab = useLab();
  const runState = useSelector(lab.run, (s) => String(s.value));
  const current = useSelector(lab.playback, (s) => s.context.runId);
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [note, setNote] = useState<string>();
  useEffect(() => {
    let cancelled = false;
    api.listRuns().then(
      (list) => !cancelled && setRuns(list),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [runState]);
  const importFile = async (file: File) => {
    const text = await file.text();
    try {
      const summary = await api.importTrace(text);
      await lab.replay(summary.id);
      setNote(`Imported ${file.name} as run ${summary.id}.`);
      setRuns((list) => [summary, ...list.filter((r) => r.id !== summary.id)]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      try {
        // The lab is unreachable: replay the file locally rather than not at all.
        const events = parseTraceLines(text);
        const started = events.find((e) => e.type === 'run.started');
        if (!started || !(error instanceof ApiError && error.status === 0)) throw error;
        lab.loadLocal(`file:${started.runId}`, events);
        setNote(`Replaying ${file.name} locally (the lab is unreachable).`);
      } catch {
        setNote(`Import refused: ${message}`);
      }
    }
  };
  return (
    <section className="panel runs" aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      <div className="run-buttons">
        <button type="button" onClick={onExport} disabled={!current} data-testid="export-run">
          Export run <kbd>e</kbd>
        </button>
        <button type="button" onClick={onExportSvg} disabled={!current} data-testid="export-svg">
          Timeline SVG <kbd>s</kbd>
        </button>
        <button type="button" onClick={onExportPng} disabled={!current} data-testid="export-png">
          PNG
        </button>
        <label className="file-button">
          Import trace <kbd>i</kbd>
          <input
            ref={importRef}
            type="file"
            accept=".jsonl,.ndjson,.json,.txt"
            data-testid="import-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void importFile(file);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {note && (
        <p className="hint" role="status" data-testid="import-note">
          {note}
        </p>
      )}
      <ul className="run-list">
        {runs.slice(0, 8).map((r) => (
          <li key={r.id} className={r.id === current ? 'current' : undefined}>
            <button type="button" onClick={() => void lab.replay(r.id)} aria-label={`Replay the run ${runName(r)}`}>
              ▶
            </button>{' '}
            {runName(r)} · {r.completed} req in {formatMs(r.durationMs)} · p99 {formatMs(r.latencyMs.p99)}
            {r.imported ? ' · imported' : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}
