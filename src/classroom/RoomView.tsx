import type { RequestAt, Snapshot } from '../trace/snapshot';
import { studentColor } from './colors';

const GROUPS: Array<{ key: 'queued' | 'onThread' | 'pool' | 'database' | 'responding'; label: string }> = [
  { key: 'queued', label: 'Waiting at the door' },
  { key: 'onThread', label: 'On the thread' },
  { key: 'pool', label: 'Waiting for a connection' },
  { key: 'database', label: 'At the database' },
  { key: 'responding', label: 'On the way back' },
];
/** More chips than this per group become "+N more": the projector stays readable. */
const MAX_CHIPS = 24;

/** The students' requests at this moment, each labelled and coloured by its sender. */
export function RoomView({ snapshot }: { snapshot: Snapshot | undefined }) {
  const mine = (list: RequestAt[]) => list.filter((r) => r.life.client);
  return (
    <section className="room" aria-label="Students' requests right now" data-testid="room">
      {GROUPS.map(({ key, label }) => {
        const list = snapshot ? mine(snapshot[key]) : [];
        return (
          <div key={key} className={`room-group room-${key}`}>
            <h2>
              {label} <span className="room-count">{list.length}</span>
            </h2>
            <ul>
              {list.slice(0, MAX_CHIPS).map((r) => (
                <li
                  key={r.life.rid}
                  className={`room-token${r.holdsLoop ? ' holding' : ''}`}
                  data-testid="room-token"
                  data-client={r.life.client}
                  style={{ background: studentColor(r.life.client!) }}
                >
                  {r.life.client}
                </li>
              ))}
              {list.length > MAX_CHIPS && <li className="room-more">+{list.length - MAX_CHIPS} more</li>}
            </ul>
          </div>
        );
      })}
    </section>
  );
}
