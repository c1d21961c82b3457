import type { Token } from '../layout/loopLayout';

/** One request token: shape by phase (colour is a second signal, not the only one). */
export function TokenShape({ token, size, label }: { token: Token; size: number; label?: string }) {
  const { x, y, shape, phase } = token;
  const className = `token token-${phase}${token.holdsLoop ? ' token-holding' : ''}`;
  const s = size;
  return (
    <g className={className} data-rid={token.rid}>
      {shape === 'circle' && <circle cx={x} cy={y} r={s} />}
      {shape === 'ring' && <circle cx={x} cy={y} r={s * 0.85} className="token-ring" />}
      {shape === 'square' && <rect x={x - s * 0.85} y={y - s * 0.85} width={s * 1.7} height={s * 1.7} />}
      {shape === 'diamond' && <path d={`M${x},${y - s} L${x + s},${y} L${x},${y + s} L${x - s},${y} Z`} />}
      {shape === 'triangle' && <path d={`M${x - s},${y + s * 0.8} L${x + s},${y + s * 0.8} L${x},${y - s} Z`} />}
      {label && (
        <text x={x} y={y} dy="0.35em" className="token-label" fontSize={s * 1.05}>
          {label}
        </text>
      )}
    </g>
  );
}

/** Draws tokens on a canvas: the same layout as the SVG, for runs with too many tokens for the DOM. */
export function drawTokens(ctx: CanvasRenderingContext2D, tokens: readonly Token[], size: number, colors: Record<string, string>) {
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  for (const { x, y, shape, phase } of tokens) {
    ctx.fillStyle = colors[phase] ?? '#000';
    ctx.beginPath();
    if (shape === 'square') ctx.rect(x - size * 0.85, y - size * 0.85, size * 1.7, size * 1.7);
    else if (shape === 'diamond') (ctx.moveTo(x, y - size), ctx.lineTo(x + size, y), ctx.lineTo(x, y + size), ctx.lineTo(x - size, y));
    else if (shape === 'triangle') (ctx.moveTo(x - size, y + size * 0.8), ctx.lineTo(x + size, y + size * 0.8), ctx.lineTo(x, y - size));
    else ctx.arc(x, y, size * (shape === 'ring' ? 0.85 : 1), 0, Math.PI * 2);
    ctx.closePath();
    if (shape === 'ring') {
      ctx.strokeStyle = colors[phase] ?? '#000';
      ctx.lineWidth = 2;
      ctx.stroke();
    } else ctx.fill();
  }
}
