import { memo } from 'react';
import { useSelector } from '@xstate/react';
import { SPEED_MAX, SPEED_MIN } from '../../machines/playbackMachine';
import { useLab } from '../../lab/LabContext';
import { saveAutoReplay } from '../../lab/preferences';
import { formatMs } from '../layout/timelineLayout';
import { ReplayBadge } from './ReplayBadge';

/**
 * Live, play/pause, step back/forward one event, speed, a scrubber, and whether each run
 * replays slowly by itself. `start` and `end` are the run's story window (first request to
 * last event), the same axis the timeline draws.
 */
function PlaybackControlsDrawn({ start, end, compact = false }: { start: number; end: number; compact?: boolean }) {
  const { playback } = useLab();
  const state = useSelector(playback, (s) => String(s.value));
  const t = useSelector(playback, (s) => s.context.t);
  const speed = useSelector(playback, (s) => s.context.speed);
  const autoReplay = useSelector(playback, (s) => s.context.autoReplay);
  const send = playback.send;
  return (
    <div
      className={`playback${compact ? ' compact' : ''}`}
      role="group"
      aria-label="Playback"
      data-testid="playback"
      data-state={state}
    >
      <ReplayBadge />
      <button
        type="button"
        aria-pressed={state === 'live'}
        onClick={() => send({ type: 'playback.live' })}
        data-testid="playback-live"
      >
        ● Live <kbd>l</kbd>
      </button>
      <button
        type="button"
        onClick={() => send({ type: 'playback.step', direction: -1 })}
        data-testid="step-back"
        aria-label="Back: step back one event (←)"
      >
        ◀ Back
      </button>
      <button
        type="button"
        onClick={() => send({ type: 'playback.toggle' })}
        data-testid="play-pause"
        aria-label={state === 'paused' ? 'Play (space)' : 'Pause (space)'}
      >
        {state === 'paused' ? 'Play' : 'Pause'}
      </button>
      <button
        type="button"
        onClick={() => send({ type: 'playback.step', direction: 1 })}
        data-testid="step-forward"
        aria-label="Next: step forward one event (→)"
      >
        Next ▶
      </button>
      <label className="speed">
        Speed <strong>{speed.toFixed(speed < 1 ? 2 : 1)}×</strong>
        <input
          type="range"
          min={SPEED_MIN}
          max={SPEED_MAX}
          step={0.05}
          value={speed}
          data-testid="speed"
          onChange={(e) => send({ type: 'playback.speed', speed: Number(e.target.value) })}
        />
      </label>
      <label className="auto-replay">
        <input
          type="checkbox"
          checked={autoReplay}
          data-testid="auto-replay"
          onChange={(e) => {
            saveAutoReplay(e.target.checked);
            send({ type: 'playback.autoReplay', on: e.target.checked });
          }}
        />
        Replay each run slowly
      </label>
      <label className="scrubber">
        <span className="time" data-testid="playback-time">
          {formatMs(Math.max(0, t - start))}
        </span>
        <input
          type="range"
          min={start}
          max={Math.max(end, start + 1)}
          step={0.1}
          value={Math.min(Math.max(t, start), Math.max(end, start + 1))}
          aria-label="Scrub through the run"
          aria-valuetext={`${formatMs(Math.max(0, t - start))} of ${formatMs(end - start)} from the first request`}
          data-testid="scrubber"
          onChange={(e) => send({ type: 'playback.seek', t: Number(e.target.value) })}
        />
        <span className="time">{formatMs(end - start)}</span>
      </label>
    </div>
  );
}

/** Memoised: Stage renders again for its deferred views; unchanged props skip this one. */
export const PlaybackControls = memo(PlaybackControlsDrawn);
