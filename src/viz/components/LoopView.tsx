import { useEffect, useMemo, useRef } from 'react';
import type { Mode } from '../../../common/config';
import { requestName } from '../../trace/narrate';
import type { Snapshot } from '../../trace/snapshot';
import { layoutTokens, loopGeometry } from '../layout/loopLayout';
import { formatMs } from '../layout/timelineLayout';
import { LoopScenery } from './LoopScenery';
import { drawTokens, TokenShape } from './TokenShape';
import { useSize } from './useSize';

/** Above this many tokens the SVG stops drawing them one by one and a canvas takes over. */
export const CANVAS_THRESHOLD = 300;
const CANVAS_COLORS = { queued: '#4a4a4a', running: '#0b4f9c', pool: '#6a2c91', database: '#a34700', responding: '#1b6e35' };

/** The hero: one thread, a queue at the door, database calls as tokens that leave and come back. */
export function LoopView({ snapshot, mode, total, reducedMotion }: { snapshot: Snapshot | undefined; mode: Mode; total: number; reducedMotion: boolean }) {
  const [ref, size] = useSize<HTMLDivElement>({ width: 640, height: 360 });
  const width = Math.max(320, size.width);
  const height = Math.max(220, size.height);
  const geometry = useMemo(() => loopGeometry(width, height), [width, height]);
  const layout = useMemo(() => (snapshot ? layoutTokens(snapshot, geometry, reducedMotion) : undefined), [snapshot, geometry, reducedMotion]);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const useCanvas = (layout?.tokens.length ?? 0) > CANVAS_THRESHOLD;
  useEffect(() => {
    const ctx = canvasRef.current?.getContext('2d');
    if (ctx && layout && useCanvas) drawTokens(ctx, layout.tokens, geometry.token * 0.7, CANVAS_COLORS);
  }, [layout, useCanvas, geometry]);
  const holder = layout?.holder;
  const showLabels = (layout?.tokens.length ?? 0) <= 40;
  const label = (rid: string) => /(\d+)$/.exec(rid)?.[1] ?? '';
  const summary = snapshot
    ? `${snapshot.queued.length} waiting at the door, ${snapshot.onThread.length} on the thread, ${snapshot.pool.length} waiting for a pool connection, ${snapshot.database.length} at the database, ${snapshot.done} of ${total} done.`
    : 'No run loaded.';
  return (
    <div className="loop-view" ref={ref} data-testid="view-loop" data-mode={mode} data-tokens={layout?.tokens.length ?? 0}>
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={`The event loop. ${summary}`}>
        <LoopScenery g={geometry} mode={mode} holding={holder !== undefined} busy={(snapshot?.onThread.length ?? 0) > 0} />
        {holder && (
          <g className="tether" aria-hidden="true">
            <line x1={geometry.thread.cx} y1={geometry.thread.cy} x2={geometry.database.x} y2={geometry.thread.cy} />
            <text x={(geometry.thread.cx + geometry.database.x) / 2} y={geometry.thread.cy - 8} textAnchor="middle" className="tether-label">
              held {formatMs(snapshot!.t - holder.since)} for {holder.life.dbOps.at(-1) ?? 'the database'}
            </text>
          </g>
        )}
        {!useCanvas &&
          layout?.tokens.map((token) => (
            <TokenShape key={token.rid} token={token} size={geometry.token * (showLabels ? 1 : 0.7)} label={showLabels ? label(token.rid) : undefined} />
          ))}
        {layout && layout.hiddenQueued > 0 && (
          <text x={geometry.token} y={geometry.height - 8} className="overflow-label">+{layout.hiddenQueued} more at the door</text>
        )}
        <text x={geometry.thread.cx} y={geometry.thread.cy + geometry.thread.r + 22} textAnchor="middle" className="thread-caption">
          {holder
            ? `BLOCKED: ${requestName(holder.life)} holds the thread`
            : snapshot?.onThread[0]
              ? `running ${requestName(snapshot.onThread[0].life)}`
              : 'idle'}
        </text>
        <text x={geometry.done.x} y={geometry.done.y} textAnchor="end" className="done-count" data-testid="done-count">
          ✓ {snapshot?.done ?? 0} / {total} done
        </text>
      </svg>
      {useCanvas && <canvas ref={canvasRef} width={width} height={height} className="token-canvas" aria-hidden="true" />}
    </div>
  );
}
