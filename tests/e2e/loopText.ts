import type { Locator } from '@playwright/test';

/**
 * The loop view's words as the reader sees them: every text that runs out of the picture, and
 * every two that are drawn over each other (more than a pixel each way), by their laid-out boxes.
 * SVG text does not wrap or make room: a label placed for a wide stage lands on another on a
 * lesson's stage or a phone, and only the browser's layout shows it.
 */
export async function loopTextClashes(loop: Locator): Promise<string[]> {
  return loop
    .locator('svg')
    .first()
    .evaluate((svg) => {
      const outer = svg.getBoundingClientRect();
      const boxes = [...svg.querySelectorAll('text')]
        .map((t) => ({ text: (t.textContent ?? '').trim(), r: t.getBoundingClientRect() }))
        .filter((b) => b.text !== '' && b.r.width > 0);
      const clashes: string[] = [];
      for (const b of boxes)
        if (
          b.r.left < outer.left - 1 ||
          b.r.right > outer.right + 1 ||
          b.r.top < outer.top - 1 ||
          b.r.bottom > outer.bottom + 1
        )
          clashes.push(`"${b.text}" runs out of the ${Math.round(outer.width)} x ${Math.round(outer.height)} picture`);
      for (let i = 0; i < boxes.length; i += 1)
        for (let j = i + 1; j < boxes.length; j += 1) {
          const a = boxes[i]!.r;
          const b = boxes[j]!.r;
          const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (across > 1 && down > 1) clashes.push(`"${boxes[i]!.text}" is drawn over "${boxes[j]!.text}"`);
        }
      return clashes;
    });
}
