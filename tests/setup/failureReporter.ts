/**
 * Names what failed in test-results/.failed-<project> (`unit`, `timing`), one line each with
 * the first line of its error, so `npm test`'s summary, the last thing in a CI log, says which
 * test failed and why. A CI log can be read only from its tail: the Vitest output that names
 * the failure scrolls out of it behind the timing and browser suites (stop 29's CI said only
 * "FAIL unit"). Failures outside any test count too: a file that did not load, a hook that
 * threw, an error no test caught. Playwright's counterpart is tests/e2e/flakyReporter.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import type { Reporter, TestModule } from 'vitest/node';

type SerializedError = { name?: string; message?: string };

const firstLine = (error: SerializedError | undefined): string => {
  const message = stripVTControlCharacters(error?.message ?? 'failed');
  const named = error?.name && !message.startsWith(error.name) ? `${error.name}: ${message}` : message;
  return named.split('\n')[0]!.slice(0, 300);
};

export default class FailureReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const byProject = new Map<string, string[]>();
    for (const module of testModules) {
      const lines = byProject.get(module.project.name) ?? [];
      byProject.set(module.project.name, lines);
      for (const error of module.errors()) lines.push(`  ${module.relativeModuleId}: ${firstLine(error)}`);
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'failed')
          lines.push(`  ${module.relativeModuleId} › ${test.fullName}: ${firstLine(result.errors[0])}`);
      }
    }
    const projects = [...byProject.keys()];
    for (const error of unhandledErrors)
      for (const project of projects)
        byProject.get(project)!.push(`  unhandled error (fails the run): ${firstLine(error)}`);
    mkdirSync('test-results', { recursive: true });
    for (const [project, lines] of byProject) writeFileSync(`test-results/.failed-${project}`, lines.join('\n'));
  }
}
