/**
 * axe-core with every rule it has switched on: the default set plus the best-practice,
 * experimental and AAA rules (enhanced contrast, for instance) that axe leaves off unless
 * asked. The lab is read on projectors and by keyboard and screen-reader users, so the
 * stricter rules are the ones that matter here.
 */
import AxeBuilder from '@axe-core/playwright';
import axe from 'axe-core';
import type { Page } from '@playwright/test';

/** Every rule axe-core ships, deprecated ones included (runOnly by id enables disabled rules). */
export const ALL_AXE_RULES: string[] = axe.getRules().map((rule) => rule.ruleId);

/**
 * The same rules on the same document as AxeBuilder's analyze(), run by axe.run in the page
 * itself. AxeBuilder pastes axe's 600 kB source into the page on every call and, to merge its
 * per-frame results, opens a blank page of its own for each one: on a busy 2-core machine that
 * made a check take 2 to 5 times as long as axe's own work. A page with no iframes has nothing
 * to merge, so axe is put in once per document and asked there; a page with iframes still goes
 * through AxeBuilder, which checks inside them.
 */
async function axeResults(page: Page): Promise<axe.AxeResults> {
  // Every rule still runs on every element; resultTypes only spares axe describing each element
  // that passed or was not applicable (a selector per node, one at most is kept), which is most
  // of its time on a big page: 0.7-0.9 s a check against 2.3-3.2 s on the lesson page, same violations.
  const options: axe.RunOptions = { runOnly: { type: 'rule', values: ALL_AXE_RULES }, resultTypes: ['violations'] };
  if (page.frames().length > 1) return new AxeBuilder({ page }).options(options).analyze();
  type WithAxe = { axe?: typeof axe };
  if (!(await page.evaluate(() => Boolean((window as WithAxe).axe)))) await page.evaluate(axe.source);
  return page.evaluate((runOptions) => (window as WithAxe).axe!.run(document, runOptions), options);
}

/** One line per violation, with the elements it names: an empty list is a pass. */
export async function axeViolations(page: Page, where: string): Promise<string[]> {
  const results = await axeResults(page);
  // Each element with axe's own reason (e.g. the two colours and their ratio), so a failure says what to fix.
  return results.violations.map(
    (v) =>
      `${where}: ${v.id} (${v.help}) at ${v.nodes.map((n) => `${n.target.join(' ')} [${[...n.any, ...n.all, ...n.none].map((c) => c.message).join('; ')}]`).join(', ')}`,
  );
}
