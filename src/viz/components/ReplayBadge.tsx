import { useSelector } from '@xstate/react';
import { useLab } from '../../lab/LabContext';
import type { ReplayKind } from '../../machines/playbackMachine';

/** What the picture is, in words: the run as it happens, or a replay at some speed. */
export function replayLabel(state: string, replay: ReplayKind, speed: number): string {
  const x = `${speed.toFixed(speed < 1 ? 2 : 1)}×`;
  if (state === 'live') return 'Live';
  const what = replay === 'auto' ? 'Slow replay of the run that just finished' : 'Replay';
  return state === 'paused' ? `${what}, paused` : `${what}, ${x}`;
}

/** Live or replay: the words say it; the colour and the dot only repeat it. */
export function ReplayBadge() {
  const { playback } = useLab();
  const state = useSelector(playback, (s) => String(s.value));
  const replay = useSelector(playback, (s) => s.context.replay);
  const speed = useSelector(playback, (s) => s.context.speed);
  const kind = state === 'live' ? 'live' : 'replay';
  return (
    <p className="replay-badge" data-testid="replay-badge" data-kind={kind} data-replay={replay} role="status">
      <span aria-hidden="true">{kind === 'live' ? '● ' : '↺ '}</span>
      {replayLabel(state, replay, speed)}
    </p>
  );
}
