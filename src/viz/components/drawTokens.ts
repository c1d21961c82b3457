/**
 * Draws the loop view's request tokens on a canvas: shape by phase (so colour is not
 * the only signal), numbers when there are few. A canvas keeps 1,000+ moving tokens
 * at frame rate where as many SVG nodes would not (issue 4, performance).
 * A student's request (classroom mode) takes the student's colour and the start of their
 * nickname as its label, so the projector shows whose request is where.
 */
import { studentColor } from '../../classroom/colors';
import type { Token } from '../layout/loopLayout';

export const TOKEN_COLORS: Record<Token['phase'], string> = {
  queued: '#4a4a4a',
  running: '#0b4f9c',
  pool: '#6a2c91',
  database: '#a34700',
  responding: '#14592a',
};
const HOLDING = '#b00020';

/** Characters of a nickname that fit in a token. */
const CLIENT_LABEL_CHARS = 3;

/** The text inside a token: the start of the student's nickname, or the request's number. */
export function tokenLabel(token: Pick<Token, 'rid' | 'client'>): string {
  if (token.client) return Array.from(token.client.trim()).slice(0, CLIENT_LABEL_CHARS).join('');
  return /(\d+)$/.exec(token.rid)?.[1] ?? '';
}

/** The fill (or ring) colour: holding the loop wins, then the student, then the phase. */
export function tokenColor(token: Pick<Token, 'phase' | 'holdsLoop' | 'client'>): string {
  if (token.holdsLoop) return HOLDING;
  return token.client ? studentColor(token.client) : TOKEN_COLORS[token.phase];
}

function polygon(ctx: CanvasRenderingContext2D, points: Array<[number, number]>) {
  points.forEach(([px, py], i) => (i === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py)));
  ctx.closePath();
}

function outline(ctx: CanvasRenderingContext2D, { x, y, shape }: Token, s: number) {
  ctx.beginPath();
  if (shape === 'square') ctx.rect(x - s * 0.85, y - s * 0.85, s * 1.7, s * 1.7);
  else if (shape === 'diamond') polygon(ctx, [[x, y - s], [x + s, y], [x, y + s], [x - s, y]]);
  else if (shape === 'triangle') polygon(ctx, [[x - s, y + s * 0.8], [x + s, y + s * 0.8], [x, y - s]]);
  else ctx.arc(x, y, s * (shape === 'ring' ? 0.85 : 1), 0, Math.PI * 2);
}

export function drawTokens(ctx: CanvasRenderingContext2D, tokens: readonly Token[], size: number, labels: boolean, scale: number) {
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width / scale, ctx.canvas.height / scale);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const font = (label: string) => `800 ${Math.round(size * (label.length > 2 ? 0.8 : 1.05))}px system-ui, sans-serif`;
  for (const token of tokens) {
    const color = tokenColor(token);
    outline(ctx, token, size);
    if (token.shape === 'ring') {
      ctx.fillStyle = '#fff';
      ctx.fill();
      ctx.strokeStyle = color;
      ctx.lineWidth = 3;
      ctx.stroke();
    } else {
      ctx.fillStyle = color;
      ctx.fill();
      if (token.holdsLoop) {
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 2;
        ctx.stroke();
      }
    }
    // Students' tokens are always labelled: the label says whose it is, the colour only repeats it.
    if (labels || token.client) {
      const label = tokenLabel(token);
      ctx.font = font(label);
      ctx.fillStyle = token.shape === 'ring' ? '#111' : '#fff';
      ctx.fillText(label, token.x, token.y + 1);
    }
  }
}
