import { describe, expect, it } from 'vitest';
import { studentColor, studentHue } from '../../src/classroom/colors';
import { contrastRatio, hslToRgb, parseHex, WHITE } from '../../src/contrast';
import { readableOn } from '../../src/lessons/highlight';

describe('colours computed at run time meet 7:1', () => {
  it('computes WCAG ratios as the spec does', () => {
    expect(contrastRatio([0, 0, 0], WHITE)).toBeCloseTo(21, 5);
    expect(contrastRatio(parseHex('#767676')!, WHITE)).toBeCloseTo(4.54, 2);
    expect(hslToRgb(0, 1, 0.5).map(Math.round)).toEqual([255, 0, 0]);
    expect(hslToRgb(120, 1, 0.25).map(Math.round)).toEqual([0, 128, 0]);
  });

  it('every student colour carries white text at 7:1 (it was 4.5:1 for yellows before)', () => {
    const names = Array.from({ length: 400 }, (_, i) => `student${i}`);
    const worst = Math.min(...names.map((n) => contrastRatio(parseHex(studentColor(n))!, WHITE)));
    expect(worst).toBeGreaterThanOrEqual(7);
    // As many colours as hues: darkening is per hue, not one dark grey for all.
    expect(new Set(names.map(studentColor)).size).toBeGreaterThanOrEqual(0.95 * new Set(names.map(studentHue)).size);
  });

  it('darkens a theme colour below 7:1 on the code backgrounds, and leaves a dark one alone', () => {
    const comment = '#66707b'; // 4.9:1 on white
    const fixed = readableOn(comment)!;
    expect(contrastRatio(parseHex(fixed)!, WHITE)).toBeGreaterThanOrEqual(7);
    expect(contrastRatio(parseHex(fixed)!, parseHex('#fff8c5')!)).toBeGreaterThanOrEqual(7);
    expect(readableOn('#0e1116')).toBe('#0e1116');
    expect(readableOn(undefined)).toBeUndefined();
    expect(readableOn('rgb(1,2,3)')).toBe('rgb(1,2,3)');
  });
});
