import { useSelector } from '@xstate/react';
import type { Runtime } from '../../../common/config';
import { useLab } from '../../lab/LabContext';

const RUNTIMES: Array<{ runtime: Runtime; label: string; hint: string }> = [
  { runtime: 'node', label: 'Node', hint: 'server/subject, TypeScript' },
  { runtime: 'tornado', label: 'Tornado', hint: 'server/subject-tornado, Python' },
];

/**
 * Which server under study runs: the Node subject or the Tornado one. When the lab found
 * no Python with Tornado and pymongo, Tornado stays visible but unavailable, with the
 * command that installs it.
 */
export function RuntimeSwitch() {
  const { config, connection } = useLab();
  const runtime = useSelector(config, (s) => s.context.pending?.runtime ?? s.context.config.runtime);
  const tornado = useSelector(connection, (s) => s.context.health?.runtimes?.tornado);
  const unavailable = tornado && !tornado.available ? tornado : undefined;
  const choose = (next: Runtime) => {
    if (next === 'tornado' && unavailable) return;
    config.send({ type: 'config.change', patch: { runtime: next } });
  };
  const hintFor = (r: Runtime, hint: string) => {
    if (r !== 'tornado' || !tornado) return hint;
    return tornado.available ? `Tornado ${tornado.tornado}; non-blocking: ${tornado.asyncDriver}` : 'unavailable here';
  };
  return (
    <div className="runtime-switch" role="radiogroup" aria-label="Server runtime" data-testid="runtime-switch">
      {RUNTIMES.map(({ runtime: r, label, hint }) => (
        <button
          key={r}
          type="button"
          role="radio"
          aria-checked={runtime === r}
          aria-disabled={r === 'tornado' && unavailable ? true : undefined}
          className={`runtime-option runtime-${r}`}
          data-testid={`runtime-${r}`}
          onClick={() => choose(r)}
          onKeyDown={(e) => {
            if (['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].includes(e.key)) {
              e.preventDefault();
              choose(r === 'node' ? 'tornado' : 'node');
            }
          }}
          tabIndex={runtime === r ? 0 : -1}
        >
          <span className="runtime-label">
            {runtime === r ? '● ' : '○ '}
            {label}
          </span>
          <span className="runtime-hint">{hintFor(r, hint)}</span>
        </button>
      ))}
      {unavailable && (
        <p className="runtime-unavailable" data-testid="runtime-unavailable">
          Tornado needs Python with Tornado, pymongo and Motor. Install: <code>{unavailable.install}</code>
        </p>
      )}
    </div>
  );
}
