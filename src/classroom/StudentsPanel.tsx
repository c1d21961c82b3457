import { useMachine } from '@xstate/react';
import { seatsMachine } from './seatsMachine';

const clock = (epochMs: number) =>
  new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * The presenter's Students drawer: every student with their address, when they joined and
 * the requests they sent, each with a Remove button named after them. Nicknames are text
 * nodes, never HTML.
 */
export function StudentsPanel() {
  const [state, send] = useMachine(seatsMachine);
  const { students, notice, error, pending } = state.context;
  return (
    <div className="students-panel" data-testid="students-panel">
      <p role="status" className="hint" data-testid="students-notice">
        {notice ?? ''}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {students.length === 0 ? (
        <p className="hint">No students have joined yet.</p>
      ) : (
        <table>
          <caption>
            {students.length} {students.length === 1 ? 'student' : 'students'} in the class
          </caption>
          <thead>
            <tr>
              <th scope="col">Nickname</th>
              <th scope="col">Address</th>
              <th scope="col">Joined</th>
              <th scope="col">Requests sent</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {students.map((s) => (
              <tr key={s.id} data-testid="student-row" data-client={s.nickname}>
                <th scope="row">{s.nickname}</th>
                <td>{s.address}</td>
                <td>
                  <time dateTime={new Date(s.joinedAt).toISOString()}>{clock(s.joinedAt)}</time>
                  {s.heard ? '' : ' (not back yet)'}
                </td>
                <td>{s.sent}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Remove ${s.nickname}`}
                    disabled={pending?.id === s.id}
                    onClick={() => send({ type: 'remove', id: s.id, nickname: s.nickname })}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
