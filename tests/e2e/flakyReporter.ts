/**
 * Lists the specs that passed only on their retry (Playwright calls them flaky) in
 * test-results/.flaky, so `npm test`'s summary, the last thing in a CI log, names them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Reporter, TestCase } from '@playwright/test/reporter';

export default class FlakyReporter implements Reporter {
  private readonly flaky = new Set<TestCase>();

  onTestEnd(test: TestCase): void {
    if (test.outcome() === 'flaky') this.flaky.add(test);
  }

  onEnd(): void {
    mkdirSync('test-results', { recursive: true });
    // titlePath: the root, the project (the lab), the file, then the describe blocks and the test.
    const lines = [...this.flaky].map(
      (test) =>
        `  ${test.location.file.replace(`${process.cwd()}/`, '')}:${test.location.line} › ${test.titlePath().slice(3).join(' › ')}`,
    );
    writeFileSync('test-results/.flaky', lines.join('\n'));
  }
}
