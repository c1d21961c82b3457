/**
 * WCAG 2 contrast arithmetic for the few colours the UI computes at run time (a student's
 * colour, the code theme's tokens), so they meet the enhanced (AAA) ratio of 7:1 that the
 * rest of the palette is chosen for: the lab is read on projectors, from the back of a room.
 */
export type Rgb = readonly [number, number, number];

export const AAA = 7;

export function parseHex(hex: string): Rgb | undefined {
  if (!/^#[0-9a-f]{6}$/i.test(hex)) return undefined;
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as unknown as Rgb;
}

export function toHex(rgb: Rgb): string {
  return `#${rgb
    .map((c) =>
      Math.round(Math.min(255, Math.max(0, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** Relative luminance (0 black … 1 white). */
export function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((v) => {
    const c = Math.round(v) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as unknown as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The colour, darkened in steps until it reaches `ratio` against every one of `backgrounds`. */
export function darkenUntil(rgb: Rgb, backgrounds: readonly Rgb[], ratio = AAA): Rgb {
  let c = rgb;
  while (backgrounds.some((bg) => contrastRatio(c, bg) < ratio) && c.some((v) => v > 0.5)) {
    c = c.map((v) => v * 0.94) as unknown as Rgb;
  }
  return c.map(Math.round) as unknown as Rgb;
}

/** HSL (degrees, 0–1, 0–1) to RGB 0–255. */
export function hslToRgb(h: number, s: number, l: number): Rgb {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [f(0) * 255, f(8) * 255, f(4) * 255];
}

export const WHITE: Rgb = [255, 255, 255];
