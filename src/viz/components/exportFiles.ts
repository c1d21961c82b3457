/**
 * Files the page hands out: the run's trace (JSON lines) and the timeline as SVG or PNG.
 * The timeline SVG carries its own <style> so an exported file looks like the page.
 */
import type { TraceEvent } from '../../../common/trace';
import { toTraceLines } from '../../trace/store';

/** Colours and patterns of the timeline (inside the SVG so exports keep them). */
export const TIMELINE_SVG_STYLE = `
text { font: 12px system-ui, sans-serif; fill: #111; }
.lane-label-strong { font-weight: 700; }
.lane-note { font-size: 11px; font-weight: 400; fill: #333; }
.lane-hit { fill: transparent; }
.request-lane.selected .lane-hit { fill: #fff3b0; }
.request-lane:focus { outline: none; }
.request-lane:focus .lane-hit { stroke: #000; stroke-width: 2; }
.seg-queued { fill: #ffffff; stroke: #4a4a4a; stroke-width: 1; }
.seg-running { fill: #0b4f9c; }
.seg-pool { fill: url(#pat-pool); stroke: #6a2c91; }
.seg-database { fill: url(#pat-db); stroke: #a34700; }
.seg-holds { fill: url(#pat-holds); stroke: #b00020; stroke-width: 1.5; }
.seg-responding { fill: #14592a; }
.lane-segs { transform: translateX(var(--lane-tx, 0)) scaleX(var(--lane-k, 1)); }
.lane-segs .seg { vector-effect: non-scaling-stroke; }
.lane-segs .seg-pool { fill: url(#pat-pool-lane); }
.lane-segs .seg-database { fill: url(#pat-db-lane); }
.lane-segs .seg-holds { fill: url(#pat-holds-lane); }
.lane-idle { fill: #f4f4f4; stroke: #bbb; }
.loop-busy { fill: #0b4f9c; }
.loop-blocked { fill: url(#pat-holds); stroke: #b00020; }
.db-area { fill: #a34700; opacity: 0.85; }
.gridline { stroke: #ddd; }
.cursor { stroke: #d10000; stroke-width: 2; }
`;

function download(name: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function exportTrace(runId: string, events: readonly TraceEvent[]) {
  download(`run-${runId}.jsonl`, new Blob([toTraceLines(events)], { type: 'application/x-ndjson' }));
}

function svgText(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return new XMLSerializer().serializeToString(clone);
}

export function exportSvg(svg: SVGSVGElement, name: string) {
  download(`${name}.svg`, new Blob([svgText(svg)], { type: 'image/svg+xml' }));
}

export async function exportPng(svg: SVGSVGElement, name: string) {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText(svg))}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = svg.width.baseVal.value * 2;
  canvas.height = svg.height.baseVal.value * 2;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.scale(2, 2);
  ctx.drawImage(image, 0, 0);
  canvas.toBlob((blob) => blob && download(`${name}.png`, blob), 'image/png');
}
