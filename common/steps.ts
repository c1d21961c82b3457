/**
 * The step vocabulary: the names a handler passes to `step(...)`, in the order the steps
 * happen in a handler. The subject traces them as `handler.step`, lessons mark their lines
 * and the Code view highlights the line a request is at, so all of them read this one list.
 */
export const STEP_NAMES = ['parse', 'cpu', 'query', 'callback', 'respond'] as const;
export type StepName = (typeof STEP_NAMES)[number];
