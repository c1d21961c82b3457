/**
 * The course as it is on disk: every lesson parses, every preset is a valid config and
 * run, every referenced handler and step marker exists in the handlers that really run,
 * and every number a lesson promises agrees with the lab's model.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  closedRunSchema,
  labConfigPatchSchema,
  labConfigSchema,
  lessonLongPollRunSchema,
} from '../../../common/config';
import type { Lesson } from '../../../common/lesson';
import { predict, presetConfig } from '../../../src/lessons/model';
import { parseLesson } from '../../../src/lessons/parse';
import { findMarkers, markedLines } from '../../../src/code/markers';

const root = join(import.meta.dirname, '../../..');
const lessonsDir = join(root, 'lessons');
const handlersDir = join(root, 'server/subject/handlers');

const folders = readdirSync(lessonsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const lessons: Lesson[] = folders.map((folder) =>
  parseLesson(folder, readFileSync(join(lessonsDir, folder, 'lesson.md'), 'utf8')),
);
const steps = lessons.flatMap((lesson) =>
  lesson.steps.map((step, index) => ({ lesson, step, name: `${lesson.folder} step ${index + 1}` })),
);

describe('the course on disk', () => {
  it('has at least the ten lessons of the issue, numbered 1, 2, 3… without gaps', () => {
    expect(lessons.length).toBeGreaterThanOrEqual(10);
    expect(lessons.map((lesson) => lesson.number)).toEqual(lessons.map((_, index) => index + 1));
  });

  it('gives every lesson a distinct id for its URL', () => {
    expect(new Set(lessons.map((lesson) => lesson.id)).size).toBe(lessons.length);
  });

  it.each(steps)('$name: the preset is a valid config patch and closed run', ({ step }) => {
    expect(labConfigPatchSchema.safeParse(step.experiment.config).success).toBe(true);
    expect(labConfigSchema.safeParse(presetConfig(step.experiment.config)).success).toBe(true);
    const { run } = step.experiment;
    expect(closedRunSchema.safeParse(run).success || lessonLongPollRunSchema.safeParse(run).success).toBe(true);
  });

  it.each(steps)('$name: every handler and step marker it shows exists in the running code', ({ lesson, step }) => {
    for (const ref of step.code) {
      if ('handler' in ref) {
        const file = ref.handler.endsWith('.py')
          ? join(root, 'server/subject-tornado/handlers', ref.handler)
          : join(handlersDir, `${ref.handler}.ts`);
        expect(existsSync(file), `${file} exists`).toBe(true);
        const source = readFileSync(file, 'utf8');
        const markers = findMarkers(source, 'call').map((marker) => marker.name);
        for (const name of ref.steps) expect(markers, `${ref.handler} has step('${name}')`).toContain(name);
        expect(markedLines(source, 'call', ref.steps).size).toBeGreaterThanOrEqual(ref.steps.length);
      } else {
        const file = join(lessonsDir, lesson.folder, ref.file);
        expect(existsSync(file), `${file} exists`).toBe(true);
        const source = readFileSync(file, 'utf8');
        const markers = findMarkers(source, 'comment').map((marker) => marker.name);
        for (const name of ref.marks) expect(markers, `${ref.file} has # step: ${name}`).toContain(name);
      }
    }
  });

  it.each(steps.filter(({ step }) => step.experiment.expect))(
    '$name: the number it promises is within 15 % of the model',
    ({ step }) => {
      const expected = step.experiment.expect;
      if (!expected) throw new Error('filtered above');
      const model = predict(presetConfig(step.experiment.config), step.experiment.run)[expected.metric];
      expect(Math.abs(expected.about - model) / model).toBeLessThanOrEqual(0.15);
    },
  );
});
