/** Runs the histogram aggregation off the main thread (see histogram.ts). */
import { createHistogramService, type HistogramRequest } from './histogram';

const service = createHistogramService();

self.onmessage = (event: MessageEvent<HistogramRequest>) => {
  const reply = service(event.data);
  if (reply) (self as unknown as Worker).postMessage(reply, [reply.histogram.counts.buffer]);
};
