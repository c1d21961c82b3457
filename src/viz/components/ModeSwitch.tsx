import { useSelector } from '@xstate/react';
import type { Mode } from '../../../common/config';
import { useLab } from '../../lab/LabContext';
import { restartsSubject } from '../../machines/configMachine';

const MODES: Array<{ mode: Mode; label: string; hint: string }> = [
  { mode: 'blocking', label: 'Blocking', hint: 'the loop waits for every database call' },
  { mode: 'nonblocking', label: 'Non-blocking', hint: 'the loop moves on while the database works' },
];

/** The big switch: blocking or non-blocking database access in the subject. */
export function ModeSwitch() {
  const { config } = useLab();
  const mode = useSelector(config, (s) => s.context.pending?.mode ?? s.context.config.mode);
  const pending = useSelector(config, (s) => s.matches('pending'));
  const restarting = useSelector(config, (s) => restartsSubject(s.context.pending));
  const choose = (next: Mode) => config.send({ type: 'config.change', patch: { mode: next } });
  return (
    <div
      className="mode-switch"
      role="radiogroup"
      aria-label="Database access mode (shortcut: m)"
      data-testid="mode-switch"
    >
      {MODES.map(({ mode: m, label, hint }) => (
        <button
          key={m}
          type="button"
          role="radio"
          aria-checked={mode === m}
          className={`mode-option mode-${m}`}
          data-testid={`mode-${m}`}
          onClick={() => choose(m)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'ArrowUp' || e.key === 'ArrowDown') {
              e.preventDefault();
              choose(m === 'blocking' ? 'nonblocking' : 'blocking');
            }
          }}
          tabIndex={mode === m ? 0 : -1}
        >
          <span className="mode-label">
            {mode === m ? '● ' : '○ '}
            {label}
          </span>
          <span className="mode-hint">{hint}</span>
        </button>
      ))}
      {pending && (
        <span className="mode-pending" role="status">
          {restarting ? 'Applying… the subject restarts' : 'Switching…'}
        </span>
      )}
    </div>
  );
}
