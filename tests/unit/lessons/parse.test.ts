import { describe, expect, it } from 'vitest';
import { parseFolderName, parseLesson } from '../../../src/lessons/parse';

const step = (question = 'Why?') => `
  - code:
      - handler: getUser.blocking
        steps: [query]
    experiment:
      config: { mode: blocking, dbLatencyMs: 100 }
      run: { requests: 10, concurrency: 10 }
      lookFor: The queue.
    check:
      question: ${question}
      choices:
        - { text: A, correct: true, explanation: Because A. }
        - { text: B, explanation: Not B. }`;

const lesson = (steps: string, body: string) => `---\ntitle: T\nsummary: S\nsteps:${steps}\n---\n${body}`;

describe('parseLesson', () => {
  it('takes each step title and text from the body, in order, and the intro from before them', () => {
    const parsed = parseLesson(
      '02-the-blocking-call',
      lesson(step() + step('How?'), 'Intro text.\n\n## First\n\nOne.\n\n### Detail\n\nMore.\n\n## Second\n\nTwo.\n'),
    );
    expect(parsed).toMatchObject({ number: 2, id: 'the-blocking-call', intro: 'Intro text.' });
    expect(parsed.steps.map((s) => [s.title, s.markdown])).toEqual([
      ['First', 'One.\n\n### Detail\n\nMore.'],
      ['Second', 'Two.'],
    ]);
    expect(parsed.steps[1]?.check.question).toBe('How?');
    expect(parsed.steps[0]?.code[0]).toEqual({ handler: 'getUser.blocking', steps: ['query'] });
  });

  it('refuses a body whose sections do not match the steps', () => {
    expect(() => parseLesson('01-x', lesson(step() + step(), '## Only one\n\nText.'))).toThrow(
      /2 steps but the body has 1 "## " sections/,
    );
  });

  it('names the lesson file and the bad field when the frontmatter breaks the schema', () => {
    const broken = lesson(step().replace('dbLatencyMs: 100', 'dbLatencyMs: 5000'), '## A\n\nText.');
    expect(() => parseLesson('03-y', broken)).toThrow(
      /lessons\/03-y\/lesson\.md:[\s\S]*dbLatencyMs must be between 0 and 2000/,
    );
  });

  it('refuses a question with no right answer, or with two', () => {
    const none = lesson(step().replace('correct: true, ', ''), '## A\n\nText.');
    expect(() => parseLesson('01-x', none)).toThrow(/exactly one choice must be correct/);
    const two = lesson(step().replace('{ text: B, ', '{ text: B, correct: true, '), '## A\n\nText.');
    expect(() => parseLesson('01-x', two)).toThrow(/exactly one choice must be correct/);
  });

  it('refuses unknown fields, so a typo cannot silently drop a setting', () => {
    const typo = lesson(step().replace('lookFor:', 'lookfor: x\n      lookFor:'), '## A\n\nText.');
    expect(() => parseLesson('01-x', typo)).toThrow(/lookfor/);
  });

  it('refuses a step marker that handlers do not have', () => {
    const bad = lesson(step().replace('steps: [query]', 'steps: [sleep]'), '## A\n\nText.');
    expect(() => parseLesson('01-x', bad)).toThrow(/lesson\.md/);
  });

  it('refuses a file without frontmatter and a folder without a number', () => {
    expect(() => parseLesson('01-x', '# Just markdown')).toThrow(/frontmatter between two --- lines/);
    expect(() => parseLesson('blocking', lesson(step(), '## A\n\nText.'))).toThrow(/NN-slug/);
  });

  it('reads folder names as number and id', () => {
    expect(parseFolderName('10-measure-it-yourself')).toEqual({ number: 10, id: 'measure-it-yourself' });
    expect(parseFolderName('10_measure')).toBeNull();
  });
});

describe('splitting the body into steps', () => {
  it('does not split on a "## " inside a fenced code block', async () => {
    const { splitSections } = await import('../../../src/lessons/parse');
    const body = [
      'Intro.',
      '## First step',
      'Some Python:',
      '```python',
      '## not a heading, a comment',
      'x = 1',
      '```',
      '~~~md',
      '## also code',
      '~~~',
      '## Second step',
      'Text.',
    ].join('\n');
    const { intro, sections } = splitSections(body);
    expect(intro).toBe('Intro.');
    expect(sections.map((s) => s.title)).toEqual(['First step', 'Second step']);
    expect(sections[0]!.markdown).toContain('## not a heading, a comment');
    expect(sections[0]!.markdown).toContain('## also code');
  });
});
