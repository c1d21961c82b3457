import { useSelector } from '@xstate/react';
import { useLab } from '../../lab/LabContext';

/** Connection, database and subject state, in words (and a retry when the lab is gone). */
export function StatusBar() {
  const { connection, config } = useLab();
  const state = useSelector(connection, (s) =>
    s.matches({ online: { connected: 'lagging' } })
      ? 'lagging'
      : s.matches({ online: 'connected' })
        ? 'connected'
        : s.matches('reconnecting')
          ? 'reconnecting'
          : 'connecting',
  );
  const attempt = useSelector(connection, (s) => s.context.attempt);
  const health = useSelector(connection, (s) => s.context.health);
  const skipped = useSelector(connection, (s) => s.context.skipped);
  const configMessage = useSelector(config, (s) => (s.matches('refused') ? s.context.message : undefined));
  const words = {
    connecting: 'Connecting to the lab…',
    connected: 'Live',
    lagging: `Behind the live stream (${skipped} batches skipped); catching up from the stored run`,
    reconnecting: `Lost the lab; reconnecting (attempt ${attempt}). Recorded runs still replay.`,
  }[state];
  const db = health?.database;
  return (
    <div className="status-bar" data-testid="status-bar">
      <span className={`status-pill status-${state}`} role="status" data-testid="connection-status" data-state={state}>
        <span aria-hidden="true">{state === 'connected' ? '● ' : state === 'reconnecting' ? '✕ ' : '… '}</span>
        {words}
      </span>
      {state === 'reconnecting' && (
        <button type="button" onClick={() => connection.send({ type: 'connection.retry' })}>
          Retry now
        </button>
      )}
      {db && (
        <span
          className={`status-pill ${db.restarting ? 'status-warn' : db.up ? 'status-ok' : 'status-bad'}`}
          data-testid="database-status"
          data-state={db.restarting ? 'restarting' : db.up ? 'up' : 'down'}
        >
          {db.restarting ? '… ' : db.up ? '● ' : '✕ '}Database: {db.kind} {db.version}
          {db.restarting ? ' is being restarted' : db.up ? '' : ' is DOWN'}
          {/* What the lab's database keeper says: why it went down, and the next retry. */}
          {(db.restarting || !db.up) && db.message ? ` (${db.message})` : ''}
        </span>
      )}
      {health && health.subject.state !== 'ready' && (
        <span className="status-pill status-warn" role="status">
          Subject {health.subject.state}
        </span>
      )}
      {configMessage && (
        <span className="status-pill status-bad" role="alert" data-testid="config-refused">
          Config refused: {configMessage}{' '}
          <button type="button" onClick={() => config.send({ type: 'config.dismiss' })}>
            Dismiss
          </button>
        </span>
      )}
    </div>
  );
}
