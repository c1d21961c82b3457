import type { Mode } from '../../../common/config';
import type { LoopGeometry } from '../layout/loopLayout';

/** The still parts of the loop view: door, thread, pool, wire and database, labelled. */
export function LoopScenery({
  g,
  mode,
  holding,
  busy,
  crowded = false,
}: {
  g: LoopGeometry;
  mode: Mode;
  holding: boolean;
  busy: boolean;
  /** The door shows its own count ("10,000 at the door"): on a phone that is its label, with no room for another. */
  crowded?: boolean;
}) {
  const { cx, cy, r } = g.thread;
  const db = g.database;
  const ry = db.width * 0.16;
  return (
    <g className="scenery">
      <defs>
        <pattern id="hatch-blocked" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="8" height="8" className="hatch-bg" />
          <line x1="0" y1="0" x2="0" y2="8" className="hatch-line" />
        </pattern>
      </defs>
      <line
        x1={g.door.x + g.token * 1.6}
        y1={cy - g.door.height / 2 - 10}
        x2={g.door.x + g.token * 1.6}
        y2={cy + g.door.height / 2 + 10}
        className="door"
      />
      {!(g.compact && crowded) && (
        <text
          x={g.door.x + g.token * 1.6}
          y={cy + g.door.height / 2 + 28}
          textAnchor="middle"
          className="scenery-label"
        >
          {g.compact ? 'queue' : 'the door (queue)'}
        </text>
      )}
      <circle
        cx={cx}
        cy={cy}
        r={r}
        className={`thread ${holding ? 'thread-blocked' : busy ? 'thread-busy' : 'thread-idle'}`}
        fill={holding ? 'url(#hatch-blocked)' : undefined}
      />
      <text x={cx} y={cy - r - 10} textAnchor="middle" className="scenery-label">
        {g.compact
          ? 'the loop'
          : `the event loop: one thread (${mode === 'blocking' ? 'blocking driver' : 'non-blocking driver'})`}
      </text>
      <line x1={g.wire.x1} y1={g.wire.y1} x2={g.wire.x2} y2={g.wire.y2} className="wire" />
      <rect x={g.pool.x} y={g.pool.y} width={g.pool.width} height={g.pool.height} className="pool" rx={6} />
      <text
        x={g.pool.x + g.pool.width / 2}
        y={g.pool.y + g.pool.height + 18}
        textAnchor="middle"
        className="scenery-label"
      >
        {g.compact ? 'pool wait' : 'waiting for a pool connection'}
      </text>
      <path
        className="database"
        d={`M${db.x},${db.y + ry} v${db.height - 2 * ry} a${db.width / 2},${ry} 0 0,0 ${db.width},0 v${-(db.height - 2 * ry)}`}
      />
      <ellipse className="database-top" cx={db.x + db.width / 2} cy={db.y + ry} rx={db.width / 2} ry={ry} />
      <text
        x={db.x + db.width / 2}
        y={db.y + db.height / 2 + 6}
        textAnchor="middle"
        className="scenery-label database-label"
      >
        {g.compact ? 'DB' : 'MongoDB'}
      </text>
    </g>
  );
}
