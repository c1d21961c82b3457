/**
 * Lists the specs that passed only on their retry (Playwright calls them flaky) in
 * test-results/.flaky, and those that failed every try in test-results/.failed-e2e with the
 * first lines of their error, so `npm test`'s summary, the last thing in a CI log, names them.
 * Vitest's counterpart is tests/setup/failureReporter.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import type { Reporter, TestCase, TestError, TestResult } from '@playwright/test/reporter';

// The first three lines of an error ("expect(locator).toBeVisible() failed", then its locator and
// what it expected), without the ANSI colours Playwright's messages carry.
const firstLine = (text: string) =>
  stripVTControlCharacters(text)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 3)
    .join(' · ')
    .slice(0, 300);

export default class FlakyReporter implements Reporter {
  private readonly flaky = new Set<TestCase>();
  private readonly failed = new Map<TestCase, string>();
  private readonly errors: string[] = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    const outcome = test.outcome();
    if (outcome === 'flaky') this.flaky.add(test);
    if (outcome === 'unexpected') this.failed.set(test, firstLine(result.error?.message ?? result.status));
    else this.failed.delete(test);
  }

  /** An error outside any test (a global setup that threw, a lab that never started). */
  onError(error: TestError): void {
    this.errors.push(`  outside any test: ${firstLine(error.message ?? error.value ?? 'error')}`);
  }

  onEnd(): void {
    mkdirSync('test-results', { recursive: true });
    // titlePath: the root, the project (the lab), the file, then the describe blocks and the test.
    const name = (test: TestCase) =>
      `  ${test.location.file.replace(`${process.cwd()}/`, '')}:${test.location.line} › ${test.titlePath().slice(3).join(' › ')}`;
    writeFileSync('test-results/.flaky', [...this.flaky].map(name).join('\n'));
    writeFileSync(
      'test-results/.failed-e2e',
      [...[...this.failed].map(([test, error]) => `${name(test)}: ${error}`), ...this.errors].join('\n'),
    );
  }
}
