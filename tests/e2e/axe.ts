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

/** One line per violation, with the elements it names: an empty list is a pass. */
export async function axeViolations(
  page: Page,
  where: string,
  scope?: { include?: string; exclude?: string },
): Promise<string[]> {
  let builder = new AxeBuilder({ page }).options({ runOnly: { type: 'rule', values: ALL_AXE_RULES } });
  if (scope?.include) builder = builder.include(scope.include);
  if (scope?.exclude) builder = builder.exclude(scope.exclude);
  const results = await builder.analyze();
  // Each element with axe's own reason (e.g. the two colours and their ratio), so a failure says what to fix.
  return results.violations.map(
    (v) =>
      `${where}: ${v.id} (${v.help}) at ${v.nodes.map((n) => `${n.target.join(' ')} [${[...n.any, ...n.all, ...n.none].map((c) => c.message).join('; ')}]`).join(', ')}`,
  );
}
