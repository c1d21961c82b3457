/**
 * This machine's base round trip: what one request costs here on top of the modelled
 * database latency (HTTP, the proxy, the driver, a busy CPU). Lessons promise "about
 * {n} ms here" from the model plus this, not a number written on a quiet laptop.
 * idle -> measuring -> ready | failed; `calibration.measure` measures (again).
 */
import { assign, fromPromise, setup } from 'xstate';

/** A measurement that has not answered after this is given up (a subject restarting, say). */
export const MEASURE_TIMEOUT_MS = 15_000;

export interface Calibration {
  /** Median request latency here minus the configured database latency and CPU, ≥ 0. */
  baseRoundTripMs: number;
  /** The subject's worst event-loop delay while idle, just before measuring (undefined: no samples). */
  idleLoopDelayMs: number | undefined;
  /** How many requests the median is of. */
  samples: number;
  /** When it was measured (epoch ms). */
  at: number;
}

export interface CalibrationContext {
  calibration?: Calibration;
  error?: string;
}

export type CalibrationEvent = { type: 'calibration.measure' };

export const calibrationMachine = setup({
  types: { context: {} as CalibrationContext, events: {} as CalibrationEvent },
  actors: {
    // The lab system provides the real measurement (requests sent through the lab).
    measure: fromPromise<Calibration>(() => Promise.reject(new Error('no measurement provided'))),
  },
  delays: { timeout: MEASURE_TIMEOUT_MS },
}).createMachine({
  id: 'calibration',
  context: {},
  initial: 'idle',
  states: {
    idle: { on: { 'calibration.measure': 'measuring' } },
    measuring: {
      invoke: {
        src: 'measure',
        onDone: { target: 'ready', actions: assign({ calibration: ({ event }) => event.output, error: undefined }) },
        onError: {
          target: 'failed',
          actions: assign({
            error: ({ event }) => (event.error instanceof Error ? event.error.message : String(event.error)),
          }),
        },
      },
      after: {
        timeout: { target: 'failed', actions: assign({ error: `no answer within ${MEASURE_TIMEOUT_MS / 1000} s` }) },
      },
    },
    // A calibration stays usable while it is measured again.
    ready: { on: { 'calibration.measure': 'measuring' } },
    failed: { on: { 'calibration.measure': 'measuring' } },
  },
});
