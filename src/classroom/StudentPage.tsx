import { useMachine } from '@xstate/react';
import { useState } from 'react';
import { studentColor } from './colors';
import { StudentBatches } from './StudentBatches';
import { pendingCount, studentMachine } from './studentMachine';
import './classroom.css';

const ms = (value: number) => `${Math.round(value)} ms`;

/** The page a phone opens from the QR code: a nickname, one big button, its own results. */
export function StudentPage() {
  const [state, send] = useMachine(studentMachine);
  const [draft, setDraft] = useState('');
  const { nickname, error, batches, now, mode } = state.context;
  if (state.matches('checking'))
    return (
      <main className="student">
        <p>Connecting to the lab…</p>
      </main>
    );
  if (state.matches('removed')) {
    return (
      <main className="student" data-testid="student-removed">
        <h1>You are no longer in the class</h1>
        <p className="error" role="alert">
          {error}
        </p>
        <button type="button" className="big" onClick={() => send({ type: 'rejoin' })}>
          Join again
        </button>
      </main>
    );
  }
  if (state.matches('naming') || state.matches('joining')) {
    return (
      <main className="student">
        <h1>Join the class</h1>
        <form onSubmit={(e) => (e.preventDefault(), send({ type: 'join', nickname: draft }))}>
          <label htmlFor="nickname">Pick a nickname</label>
          <input
            id="nickname"
            data-testid="nickname"
            value={draft}
            maxLength={24}
            autoComplete="off"
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
            aria-describedby="nickname-help"
          />
          <p id="nickname-help" className="hint">
            Up to 24 letters, digits, spaces, - or _. The room will see it on the projector.
          </p>
          <button
            type="submit"
            className="big"
            disabled={state.matches('joining') || draft.trim() === ''}
            data-testid="join"
          >
            Join
          </button>
        </form>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </main>
    );
  }
  const resting = state.matches({ ready: { sending: 'resting' } });
  const inFlight = pendingCount(batches);
  const done = batches.flatMap((b) =>
    b.requests.flatMap((r) => (r.result && r.result.status >= 200 && r.result.status < 300 ? [r.result] : [])),
  );
  const longest = done.reduce((max, r) => Math.max(max, r.latencyMs), 0);
  return (
    <main className="student" style={{ ['--me' as string]: studentColor(nickname ?? '') }}>
      <h1>
        You are{' '}
        <span className="me" data-testid="me">
          {nickname}
        </span>
      </h1>
      {mode && (
        <p className={`student-mode mode-${mode}`} data-testid="student-mode" aria-live="polite">
          The lab is {mode === 'blocking' ? 'blocking' : 'non-blocking'}
        </p>
      )}
      <button
        type="button"
        className="big send"
        data-testid="send-one"
        disabled={resting}
        onClick={() => send({ type: 'send', count: 1 })}
      >
        Send a request
      </button>
      <button
        type="button"
        className="send-ten"
        data-testid="send-ten"
        disabled={resting}
        onClick={() => send({ type: 'send', count: 10 })}
      >
        Send 10
      </button>
      <p className="status" role="status" data-testid="student-status">
        {resting
          ? 'Slow down: the lab asked you to wait a moment.'
          : inFlight > 0
            ? `${inFlight} on their way…`
            : done.length > 0
              ? `Your longest wait: ${ms(longest)}`
              : 'Tap the button and watch the projector.'}
      </p>
      <StudentBatches batches={batches} now={now} />
    </main>
  );
}
