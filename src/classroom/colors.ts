import { darkenUntil, hslToRgb, toHex, WHITE } from '../contrast';

/**
 * A colour per student, derived from the nickname alone so the projector, the board and
 * the student's own phone agree without asking the server. Hues are spread by a string
 * hash; each colour is darkened as far as its hue needs for white text on it (and the
 * colour as text on white) to read at 7:1: yellows and greens need more than blues.
 */
export function studentHue(nickname: string): number {
  // FNV-1a: cheap, stable across browsers, and spreads similar names apart.
  let hash = 0x811c9dc5;
  for (const ch of nickname) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 360;
}

export function studentColor(nickname: string): string {
  return toHex(darkenUntil(hslToRgb(studentHue(nickname), 0.7, 0.34), [WHITE]));
}
