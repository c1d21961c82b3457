/** The bounds of `--joins-per-minute` (its own module: the CLI reads it before loading the lab). */
export const JOINS_PER_MINUTE_RANGE = { min: 1, max: 10_000 } as const;
