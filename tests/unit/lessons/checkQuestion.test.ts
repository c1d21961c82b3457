import { describe, expect, it } from 'vitest';
import { withoutVerdict } from '../../../src/lessons/CheckQuestion';
import { course } from '../../../src/lessons/load';

describe('check feedback', () => {
  it('says "Right." once: the bold verdict, not again at the start of the explanation', () => {
    expect(withoutVerdict('Right. The ten round trips overlap.')).toBe('The ten round trips overlap.');
    expect(withoutVerdict('Each round trip still takes 100 ms.')).toBe('Each round trip still takes 100 ms.');
    for (const lesson of course.lessons) {
      for (const step of lesson.steps) {
        for (const choice of step.check.choices) expect(withoutVerdict(choice.explanation)).not.toMatch(/^Right\b/);
      }
    }
  });
});

describe('machine facts in lesson text', () => {
  it("names this machine's core count where a lesson says {{cores}}, never a number written down", async () => {
    const { withMachineFacts } = await import('../../../src/lessons/Markdown');
    expect(withMachineFacts("sharing this machine's cores ({{cores}})", () => '8')).toBe(
      "sharing this machine's cores (8)",
    );
    const lesson10 = course.lessons.find((l) => l.id === 'measure-it-yourself')!;
    const text = [lesson10.intro, ...lesson10.steps.map((s) => s.markdown)].join('\n');
    expect(text).toContain('{{cores}}');
    expect(text).not.toMatch(/two cores/);
  });
});
