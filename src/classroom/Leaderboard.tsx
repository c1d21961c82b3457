import { formatMs } from '../viz/layout/timelineLayout';
import { studentColor } from './colors';
import type { BoardRow } from './leaderboard';

/** Who waited longest, in the current run. Nicknames are text nodes, never HTML. */
export function Leaderboard({ rows }: { rows: BoardRow[] }) {
  return (
    <section className="leaderboard" aria-labelledby="board-title" data-testid="leaderboard">
      <h2 id="board-title">Longest waits</h2>
      {rows.length === 0 ? (
        <p className="hint">No student requests yet.</p>
      ) : (
        <ol>
          {rows.map((row) => (
            <li key={row.nickname} data-client={row.nickname}>
              <span className="swatch" style={{ background: studentColor(row.nickname) }} aria-hidden="true" />
              <span className="who">{row.nickname}</span>
              <strong>{formatMs(row.longestMs)}</strong>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
