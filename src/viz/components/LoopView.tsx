import { useEffect, useMemo, useRef } from 'react';
import type { Mode } from '../../../common/config';
import { threadCaption } from '../../trace/narrate';
import type { Snapshot } from '../../trace/snapshot';
import { layoutTokens, loopGeometry, type Token } from '../layout/loopLayout';
import { formatMs } from '../layout/timelineLayout';
import { LoopScenery } from './LoopScenery';
import { drawTokens } from './drawTokens';
import { useSize } from './useSize';

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

/** The hero: one thread, a queue at the door, database calls as tokens that leave and come back. */
export function LoopView({ snapshot, mode, total, reducedMotion }: { snapshot: Snapshot | undefined; mode: Mode; total: number; reducedMotion: boolean }) {
  const [ref, size] = useSize<HTMLDivElement>({ width: 640, height: 360 });
  const width = Math.max(320, size.width);
  const height = Math.max(220, size.height);
  const geometry = useMemo(() => loopGeometry(width, height), [width, height]);
  const layout = useMemo(() => (snapshot ? layoutTokens(snapshot, geometry, reducedMotion) : undefined), [snapshot, geometry, reducedMotion]);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const scale = typeof window === 'undefined' ? 1 : Math.min(2, window.devicePixelRatio || 1);
  const showLabels = (layout?.tokens.length ?? 0) <= LABEL_LIMIT;
  useEffect(() => {
    const ctx = canvasRef.current?.getContext('2d');
    if (ctx) drawTokens(ctx, layout?.tokens ?? [], geometry.token * (showLabels ? 1 : 0.7), showLabels, scale);
  }, [layout, geometry, showLabels, scale]);
  const holder = layout?.holder;
  const summary = snapshot
    ? `${snapshot.queued.length} waiting at the door, ${snapshot.onThread.length} on the thread, ${snapshot.pool.length} waiting for a pool connection, ${snapshot.database.length} at the database, ${snapshot.done} of ${total} done.${studentsSummary(layout?.tokens ?? [])}`
    : 'No run loaded.';
  return (
    <div className="loop-view" ref={ref} data-testid="view-loop" data-mode={mode} data-tokens={layout?.tokens.length ?? 0}>
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={`The event loop. ${summary}`}>
        <LoopScenery g={geometry} mode={mode} holding={holder !== undefined} busy={(snapshot?.onThread.length ?? 0) + (snapshot?.queued.length ?? 0) > 0} />
        {holder && (
          <g className="tether" aria-hidden="true">
            <line x1={geometry.thread.cx} y1={geometry.thread.cy} x2={geometry.database.x} y2={geometry.thread.cy} />
            <text x={(geometry.thread.cx + geometry.thread.r + geometry.database.x) / 2} y={geometry.thread.cy - 12} textAnchor="middle" className="tether-label">
              {geometry.compact ? '' : 'held '}{formatMs(snapshot!.t - holder.since)}{geometry.compact ? '' : ` for ${holder.life.dbOps.at(-1) ?? 'the database'}`}
            </text>
          </g>
        )}
        {layout && layout.hiddenQueued > 0 && (
          <text x={geometry.token} y={geometry.height - 8} className="overflow-label">+{layout.hiddenQueued} more at the door</text>
        )}
        <text x={geometry.thread.cx} y={geometry.thread.cy + geometry.thread.r + 52} textAnchor="middle" className="thread-caption">
          {threadCaption(snapshot, geometry.compact)}
        </text>
        <text x={geometry.done.x} y={geometry.done.y} textAnchor="end" className="done-count" data-testid="done-count">
          ✓ {snapshot?.done ?? 0} / {total} done
        </text>
      </svg>
      <canvas ref={canvasRef} width={width * scale} height={height * scale} style={{ width, height }} className="token-canvas" aria-hidden="true" data-testid="token-canvas" />
    </div>
  );
}
