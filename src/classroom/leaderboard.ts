/**
 * The board on the projector: who waited longest. Pure, from the request lifecycles the
 * visualizer already holds, so it agrees with the tokens on screen.
 */
import { latencyOf, type RequestLifecycle } from '../trace/lifecycle';

export interface BoardRow {
  nickname: string;
  /** Longest wait of one of their requests, ms. */
  longestMs: number;
  requests: number;
}

export function leaderboard(lifecycles: readonly RequestLifecycle[], limit = 5): BoardRow[] {
  const rows = new Map<string, BoardRow>();
  for (const life of lifecycles) {
    if (!life.client) continue;
    const row = rows.get(life.client) ?? { nickname: life.client, longestMs: 0, requests: 0 };
    row.requests += 1;
    row.longestMs = Math.max(row.longestMs, latencyOf(life) ?? 0);
    rows.set(life.client, row);
  }
  return [...rows.values()]
    .filter((r) => r.longestMs > 0)
    .sort((a, b) => b.longestMs - a.longestMs || a.nickname.localeCompare(b.nickname))
    .slice(0, limit);
}
