import { useEffect, useRef } from 'react';
import type { ScaleLinear } from 'd3-scale';
import { useLab } from '../../lab/LabContext';

/**
 * The playback time on the timeline: an HTML overlay moved by transform, from the playback
 * actor directly. The timeline's lanes never render for it: a playing or live frame moves
 * this one element, and the browser composites it without repainting the SVG.
 */
export function TimelineCursor({ x, height }: { x: ScaleLinear<number, number>; height: number }) {
  const { playback } = useLab();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const [d0, d1] = x.domain() as [number, number];
    let shown: number | undefined;
    const place = (t: number) => {
      const element = ref.current;
      if (!element || t === shown) return;
      shown = t;
      const inside = t >= d0 && t <= d1;
      element.style.display = inside ? '' : 'none';
      if (inside) element.style.transform = `translateX(${x(t) - 1}px)`;
    };
    place(playback.getSnapshot().context.t);
    const subscription = playback.subscribe((snapshot) => place(snapshot.context.t));
    return () => subscription.unsubscribe();
  }, [playback, x]);
  return (
    <div
      ref={ref}
      className="timeline-cursor"
      data-testid="timeline-cursor"
      aria-hidden="true"
      style={{ height, display: 'none' }}
    />
  );
}
