/**
 * The playback clock: an invoked callback actor that reports elapsed wall time once per
 * animation frame, or in coarse steps when the reader prefers reduced motion.
 */
import { fromCallback, type EventObject } from 'xstate';

export type TickEvent = { type: 'tick'; dt: number };

export const frameTicker = fromCallback<EventObject, { stepMs?: number }, TickEvent>(({ input, sendBack }) => {
  let last = performance.now();
  const emit = () => {
    const nowMs = performance.now();
    sendBack({ type: 'tick', dt: nowMs - last });
    last = nowMs;
  };
  if (input.stepMs) {
    const id = setInterval(emit, input.stepMs);
    return () => clearInterval(id);
  }
  let frame = requestAnimationFrame(function loop() {
    emit();
    frame = requestAnimationFrame(loop);
  });
  return () => cancelAnimationFrame(frame);
});
