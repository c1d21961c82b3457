import { useEffect, useMemo, useRef, memo } from 'react';
import type { Mode } from '../../../common/config';
import { threadCaption } from '../../trace/narrate';
import type { Snapshot } from '../../trace/snapshot';
import type { TrackedSnapshot } from '../../trace/snapshotTracker';
import {
  isParked,
  layoutTokens,
  loopGeometry,
  type DoorCrowd,
  type LoopGeometry,
  type ParkedSnapshot,
  type Token,
} from '../layout/loopLayout';
import { formatMs } from '../layout/timelineLayout';
import { LoopScenery } from './LoopScenery';
import { drawTokens } from './drawTokens';
import { useSize } from './useSize';

/** The thread's caption, under the thread (the door's label is 28 px under it). */
const captionY = (g: LoopGeometry) => g.thread.cy + g.thread.r + 52;

/** Tokens are numbered while there are this few of them. */
const LABEL_LIMIT = 40;
/** Students named in the view's text alternative (the canvas itself is hidden from screen readers). */
const NAMED_STUDENTS = 12;

const PLACES: Record<Token['phase'], string> = {
  queued: 'at the door',
  running: 'on the thread',
  pool: 'waiting for a pool connection',
  database: 'at the database',
  responding: 'answered',
};

/** "alice at the database, bob at the door": whose request is where, in words. */
function studentsSummary(tokens: readonly Token[]): string {
  const mine = tokens.filter((t) => t.client);
  if (mine.length === 0) return '';
  const named = mine.slice(0, NAMED_STUDENTS).map((t) => `${t.client} ${PLACES[t.phase]}`);
  return ` Students: ${named.join(', ')}${mine.length > NAMED_STUDENTS ? ` and ${mine.length - NAMED_STUDENTS} more` : ''}.`;
}

const count = new Intl.NumberFormat('en-US');

/** The door's words: "10,000 at the door: 10,000 long-polls waiting for news". */
function doorWords(atDoor: number, parked: number): string {
  const queued = atDoor - parked;
  const parts: string[] = [];
  if (parked > 0) parts.push(`${count.format(parked)} ${parked === 1 ? 'long-poll' : 'long-polls'} waiting for news`);
  if (queued > 0) parts.push(`${count.format(queued)} not yet taken in`);
  return `${count.format(atDoor)} at the door${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/**
 * The door's count goes a line above the thread's label (cy - r - 10), never on it: on a
 * lesson's stage or a phone the label reaches over the door.
 */
function doorCountY(crowd: DoorCrowd, g: LoopGeometry): number {
  return Math.max(14, Math.min(crowd.area.y - 10, g.thread.cy - g.thread.r - 32));
}

/** The crowded door: the band standing for those not drawn one by one, with its exact count. */
function CrowdBand({ crowd, g }: { crowd: DoorCrowd; g: LoopGeometry }) {
  const { band } = crowd;
  return (
    <g className="door-crowd" aria-hidden="true">
      <text
        x={Math.max(2, g.token * 0.3)}
        y={doorCountY(crowd, g)}
        className="door-count"
        data-testid="door-count"
        data-count={crowd.total}
        data-parked={crowd.parked}
      >
        {count.format(crowd.total)} at the door
      </text>
      {band && (
        <g data-testid="density-band" data-count={band.count}>
          <rect
            x={band.x}
            y={band.y}
            width={band.width}
            height={band.height}
            className="density-band"
            style={{ fillOpacity: 0.25 + 0.75 * band.density }}
          />
          {/* Left-aligned: centred on a narrow band at the edge, the count ran off the picture. */}
          <text x={Math.max(2, band.x)} y={band.y + band.height + 16} className="density-label">
            +{count.format(band.count)}
          </text>
        </g>
      )}
    </g>
  );
}

/**
 * One publish answering every waiter: rays from the thread to the door while the fan-out lasts,
 * and its words in the thread's caption's place (what the thread is doing then), where nothing
 * else is written.
 */
function FanOut({ g, crowd, waiting }: { g: LoopGeometry; crowd: DoorCrowd | undefined; waiting: number }) {
  const { cx, cy, r } = g.thread;
  const top = crowd ? crowd.area.y : g.door.y - g.door.height / 2;
  const height = crowd ? crowd.area.height : g.door.height;
  const x = crowd ? crowd.area.x + crowd.area.width / 2 : g.door.x;
  const rays = 9;
  return (
    <g className="fan-out" data-testid="fan-out" data-waiting={waiting} aria-hidden="true">
      {Array.from({ length: rays }, (_, i) => (
        <line key={i} x1={cx - r * 0.7} y1={cy} x2={x} y2={top + ((i + 0.5) / rays) * height} />
      ))}
      <text x={cx} y={captionY(g)} textAnchor="middle" className="fan-out-label">
        one publish answers {count.format(waiting)}
      </text>
    </g>
  );
}

/** The hero: one thread, a queue at the door, database calls as tokens that leave and come back. */
function LoopViewDrawn({
  snapshot,
  mode,
  total,
  reducedMotion,
  publishedAt,
}: {
  snapshot: Snapshot | undefined;
  mode: Mode;
  total: number;
  reducedMotion: boolean;
  /** When a long-poll run's one publish happened (epoch ms). */
  publishedAt?: number;
}) {
  const [ref, size] = useSize<HTMLDivElement>({ width: 640, height: 360 });
  const width = Math.max(320, size.width);
  const height = Math.max(220, size.height);
  // Long-polls parked at the door (parkLongPolls moved them there and counted them).
  const parked = useMemo(() => {
    if (!snapshot) return 0;
    if ('parked' in snapshot) return (snapshot as ParkedSnapshot).parked;
    let n = 0;
    for (const req of snapshot.queued) if (isParked(req)) n += 1;
    return n;
  }, [snapshot]);
  const geometry = useMemo(() => loopGeometry(width, height), [width, height]);
  // A tracked snapshot's `places` change only when its tokens moved: a still crowd is laid out and drawn once, not every frame.
  const places = snapshot && 'places' in snapshot ? (snapshot as TrackedSnapshot).places : snapshot;
  const layout = useMemo(
    () => (places ? layoutTokens(places, geometry, reducedMotion, parked) : undefined),
    [places, geometry, reducedMotion, parked],
  );
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const scale = typeof window === 'undefined' ? 1 : Math.min(2, window.devicePixelRatio || 1);
  const showLabels = (layout?.tokens.length ?? 0) <= LABEL_LIMIT;
  useEffect(() => {
    const ctx = canvasRef.current?.getContext('2d');
    if (ctx)
      drawTokens(
        ctx,
        layout?.tokens ?? [],
        geometry.token * (showLabels ? 1 : 0.7),
        showLabels,
        scale,
        layout?.crowd?.dot,
      );
  }, [layout, geometry, showLabels, scale]);
  const holder = layout?.holder;
  const fanning = publishedAt !== undefined && snapshot !== undefined && snapshot.t >= publishedAt && parked > 0;
  const inFlight = snapshot
    ? snapshot.queued.length +
      snapshot.onThread.length +
      snapshot.pool.length +
      snapshot.database.length +
      snapshot.responding.length
    : 0;
  const students = useMemo(() => studentsSummary(layout?.tokens ?? []), [layout]);
  const summary = snapshot
    ? `${doorWords(snapshot.queued.length, parked)}, ${snapshot.onThread.length} on the thread, ${snapshot.pool.length} waiting for a pool connection, ${snapshot.database.length} at the database, ${snapshot.done} of ${total} done.${students}`
    : 'No run loaded.';
  return (
    <div
      className="loop-view"
      ref={ref}
      data-testid="view-loop"
      data-mode={mode}
      data-tokens={layout?.tokens.length ?? 0}
      data-in-flight={inFlight}
    >
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-label={`The event loop. ${summary}`}
      >
        <LoopScenery
          g={geometry}
          mode={mode}
          holding={holder !== undefined}
          busy={(snapshot?.onThread.length ?? 0) + (snapshot?.queued.length ?? 0) > 0}
          crowded={layout?.crowd !== undefined}
        />
        {holder && (
          <g className="tether" aria-hidden="true">
            <line x1={geometry.thread.cx} y1={geometry.thread.cy} x2={geometry.database.x} y2={geometry.thread.cy} />
            <text
              x={(geometry.thread.cx + geometry.thread.r + geometry.database.x) / 2}
              y={geometry.thread.cy - 12}
              textAnchor="middle"
              className="tether-label"
            >
              {geometry.compact ? '' : 'held '}
              {formatMs(snapshot!.t - holder.since)}
              {geometry.compact ? '' : ` for ${holder.life.dbOps.at(-1) ?? 'the database'}`}
            </text>
          </g>
        )}
        {layout?.crowd && <CrowdBand crowd={layout.crowd} g={geometry} />}
        {fanning && <FanOut g={geometry} crowd={layout?.crowd} waiting={parked} />}
        {!fanning && (
          <text x={geometry.thread.cx} y={captionY(geometry)} textAnchor="middle" className="thread-caption">
            {threadCaption(snapshot, geometry.compact, layout?.crowd !== undefined)}
          </text>
        )}
        {/* A phone has no room for it beside the caption: top right, short. */}
        <text
          x={geometry.done.x}
          y={geometry.compact ? 18 : geometry.done.y}
          textAnchor="end"
          className="done-count"
          data-testid="done-count"
        >
          {geometry.compact
            ? `✓ ${count.format(snapshot?.done ?? 0)}/${count.format(total)}`
            : `✓ ${snapshot?.done ?? 0} / ${total} done`}
        </text>
      </svg>
      <canvas
        ref={canvasRef}
        width={width * scale}
        height={height * scale}
        style={{ width, height }}
        className="token-canvas"
        aria-hidden="true"
        data-testid="token-canvas"
      />
    </div>
  );
}

/** Memoised: Stage renders again for its deferred views; unchanged props skip this one. */
export const LoopView = memo(LoopViewDrawn);
