import { PHASE_LABELS, type Phase } from '../../trace/lifecycle';
import { PHASE_SHAPES, type TokenShape } from '../layout/loopLayout';
import { HOLDING_COLOR, TOKEN_COLORS } from './drawTokens';

const PHASES: Phase[] = ['queued', 'running', 'pool', 'database', 'responding'];

/** The same outline drawTokens paints on the canvas, as a 14 px SVG. */
function Shape({ shape, color }: { shape: TokenShape; color: string }) {
  const s = 6;
  const c = 7;
  const fill = shape === 'ring' ? '#fff' : color;
  const common = { fill, stroke: color, strokeWidth: shape === 'ring' ? 2.5 : 1 };
  return (
    <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false">
      {shape === 'square' && <rect x={c - s * 0.85} y={c - s * 0.85} width={s * 1.7} height={s * 1.7} {...common} />}
      {shape === 'diamond' && (
        <polygon points={`${c},${c - s} ${c + s},${c} ${c},${c + s} ${c - s},${c}`} {...common} />
      )}
      {shape === 'triangle' && (
        <polygon points={`${c - s},${c + s * 0.8} ${c + s},${c + s * 0.8} ${c},${c - s}`} {...common} />
      )}
      {(shape === 'circle' || shape === 'ring') && (
        <circle cx={c} cy={c} r={s * (shape === 'ring' ? 0.85 : 1)} {...common} />
      )}
    </svg>
  );
}

/** What each token's shape and colour mean, under the loop: the shapes are what colour-blind readers and greyscale projectors go by. */
export function TokenLegend() {
  return (
    <ul className="token-legend" aria-label="Token shapes" data-testid="token-legend">
      {PHASES.map((phase) => (
        <li key={phase}>
          <Shape shape={PHASE_SHAPES[phase]} color={TOKEN_COLORS[phase]} /> {PHASE_LABELS[phase]}
        </li>
      ))}
      <li>
        <Shape shape="circle" color={HOLDING_COLOR} /> any shape in red: holding the loop, nothing else runs
      </li>
    </ul>
  );
}
