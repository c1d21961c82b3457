import type { Locator } from '@playwright/test';

/**
 * A picture's words as the reader sees them: every text that runs out of the picture, every two
 * that are drawn over each other (more than a pixel each way), by their laid-out boxes, and, when
 * `marks` names them (a CSS selector), every text drawn on those marks' boxes (a histogram's
 * area, say). SVG text does not wrap or make room: a label placed for a wide stage lands on
 * another on a lesson's stage or a phone, and only the browser's layout shows it.
 */
export async function textClashes(picture: Locator, marks?: string): Promise<string[]> {
  return svgTextClashes(picture.locator('svg').first(), marks);
}

/** The same, for every picture in a view (the numbers view draws several). */
export async function viewTextClashes(view: Locator): Promise<string[]> {
  const clashes: string[] = [];
  for (const svg of await view.locator('svg').all()) clashes.push(...(await svgTextClashes(svg)));
  return clashes;
}

async function svgTextClashes(svgElement: Locator, marks?: string): Promise<string[]> {
  return svgElement.evaluate((svg, markSelector) => {
    const outer = svg.getBoundingClientRect();
    const boxes = [...svg.querySelectorAll('text')]
      .map((t) => ({ text: (t.textContent ?? '').trim(), r: t.getBoundingClientRect() }))
      .filter((b) => b.text !== '' && b.r.width > 0);
    const overlap = (a: DOMRect, b: DOMRect) =>
      Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
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
      for (let j = i + 1; j < boxes.length; j += 1)
        if (overlap(boxes[i]!.r, boxes[j]!.r)) clashes.push(`"${boxes[i]!.text}" is drawn over "${boxes[j]!.text}"`);
    if (markSelector)
      for (const mark of svg.querySelectorAll(markSelector)) {
        const r = mark.getBoundingClientRect();
        for (const b of boxes)
          if (r.width > 0 && overlap(b.r, r)) clashes.push(`"${b.text}" is drawn on ${markSelector}`);
      }
    return clashes;
  }, marks);
}

/** The loop view's words: none out of the picture or over another. */
export const loopTextClashes = (loop: Locator): Promise<string[]> => textClashes(loop);
