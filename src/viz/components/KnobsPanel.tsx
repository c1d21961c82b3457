import { useSelector } from '@xstate/react';
import { useState } from 'react';
import type { LabConfig, LabConfigPatch } from '../../../common/config';
import { CONFIG_BOUNDS } from '../../../common/knobs';
import { useLab } from '../../lab/LabContext';

type Knob = 'dbLatencyMs' | 'poolSize' | 'cpuMs' | 'workers' | 'executorThreads';

const KNOBS: Array<{ key: Knob; label: string; unit: string }> = [
  { key: 'dbLatencyMs', label: 'Database round trip', unit: 'ms' },
  { key: 'poolSize', label: 'Connection pool', unit: 'connections' },
  { key: 'cpuMs', label: 'CPU work per request', unit: 'ms' },
  { key: 'workers', label: 'Subject processes', unit: 'workers' },
  { key: 'executorThreads', label: 'Executor threads (blocking)', unit: 'threads' },
];

export interface Preset {
  label: string;
  config: LabConfigPatch;
  run: { requests: number; concurrency: number };
}

export const PRESETS: Preset[] = [
  {
    label: '10 requests, 200 ms database',
    config: { dbLatencyMs: 200, poolSize: 10, cpuMs: 0, workers: 1, executorThreads: 0 },
    run: { requests: 10, concurrency: 10 },
  },
  {
    label: '100 requests, 50 ms, pool of 10',
    config: { dbLatencyMs: 50, poolSize: 10, cpuMs: 0, workers: 1, executorThreads: 0 },
    run: { requests: 100, concurrency: 100 },
  },
  {
    label: 'CPU-bound: 20 requests × 50 ms cpu',
    config: { dbLatencyMs: 20, cpuMs: 50, workers: 1, executorThreads: 0 },
    run: { requests: 20, concurrency: 20 },
  },
  {
    label: 'FriendFeed: 4 workers, 40 requests',
    config: { dbLatencyMs: 100, cpuMs: 0, workers: 4, executorThreads: 0 },
    run: { requests: 40, concurrency: 40 },
  },
];

/** The knobs, each bounded as the server bounds it; a change is sent when the slider is let go. */
export function KnobsPanel({ onPreset }: { onPreset: (preset: Preset) => void }) {
  const { config } = useLab();
  const applied = useSelector(config, (s) => s.context.config);
  const [draft, setDraft] = useState<Partial<LabConfig>>({});
  const commit = (key: Knob) => {
    const value = draft[key];
    if (value !== undefined && value !== applied[key]) config.send({ type: 'config.change', patch: { [key]: value } });
    setDraft(({ [key]: _, ...rest }) => rest);
  };
  return (
    <section className="panel knobs" aria-labelledby="knobs-title">
      <h2 id="knobs-title">Knobs</h2>
      <div className="presets" role="group" aria-label="Presets">
        {PRESETS.map((preset) => (
          <button key={preset.label} type="button" className="preset" onClick={() => onPreset(preset)}>
            {preset.label}
          </button>
        ))}
      </div>
      {KNOBS.map(({ key, label, unit }) => {
        const { min, max } = CONFIG_BOUNDS[key];
        const value = (draft[key] as number | undefined) ?? applied[key];
        const id = `knob-${key}`;
        return (
          <div className="knob" key={key}>
            <label htmlFor={id}>
              {label}: <strong>{value}</strong> {unit}
            </label>
            <input
              id={id}
              type="range"
              min={min}
              max={max}
              step={1}
              value={value}
              data-testid={id}
              onChange={(e) => setDraft((d) => ({ ...d, [key]: Number(e.target.value) }))}
              onPointerUp={() => commit(key)}
              onKeyUp={() => commit(key)}
              onBlur={() => commit(key)}
            />
          </div>
        );
      })}
    </section>
  );
}
