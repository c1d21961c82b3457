import { useSelector } from '@xstate/react';
import { useContext, useEffect } from 'react';
import { LabContext } from '../lab/LabContext';
import type { Backend } from '../machines/connectionMachine';
import type { Calibration } from '../machines/calibrationMachine';
import { BUSY_IDLE_DELAY_MS, tooBusy } from './calibration';

/** This machine's calibration; measured once the live lab answers, if it never was. */
export function useCalibration(backend: Backend): {
  calibration: Calibration | undefined;
  measuring: boolean;
  measure: () => void;
} {
  const lab = useContext(LabContext);
  const calibration = useSelector(lab?.calibration, (s) => s?.context.calibration);
  const idle = useSelector(lab?.calibration, (s) => s?.matches('idle') ?? false);
  const measuring = useSelector(lab?.calibration, (s) => s?.matches('measuring') ?? false);
  useEffect(() => {
    if (backend === 'live' && idle) lab?.calibration.send({ type: 'calibration.measure' });
  }, [backend, idle, lab]);
  return { calibration, measuring, measure: () => lab?.calibration.send({ type: 'calibration.measure' }) };
}

/** What the promises are computed from, a way to measure again, and a warning when the machine is too busy. */
export function CalibrationNote({
  calibration,
  measuring,
  running,
  measure,
  onWatchRecording,
}: {
  calibration: Calibration | undefined;
  measuring: boolean;
  /** An experiment is running: measuring now would add requests to it. */
  running: boolean;
  measure: () => void;
  onWatchRecording: () => void;
}) {
  return (
    <div className="lesson-calibration" data-testid="calibration">
      <p>
        {measuring
          ? 'Measuring this machine’s base round trip…'
          : calibration
            ? `Promises include this machine’s base round trip: ${Math.round(calibration.baseRoundTripMs)} ms on top of the database latency (median of ${calibration.samples} requests).`
            : 'Promises are the model’s alone (this machine is not measured yet).'}{' '}
        <button type="button" className="link-button" onClick={measure} disabled={measuring || running}>
          Measure again
        </button>
      </p>
      {tooBusy(calibration) ? (
        <p className="lesson-busy" role="alert">
          This machine is busy: the subject’s loop runs {Math.round(calibration!.idleLoopDelayMs!)} ms late while idle
          (over {BUSY_IDLE_DELAY_MS} ms), so a live run may not show the effect.{' '}
          <button type="button" className="link-button" onClick={onWatchRecording}>
            Watch the recorded run instead
          </button>
        </p>
      ) : null}
    </div>
  );
}
