/**
 * The lesson file format: `lessons/NN-slug/lesson.md` is YAML frontmatter between `---`
 * lines, then a Markdown body. The frontmatter is validated by `lessonFrontmatterSchema`;
 * every field documents itself with `.describe()` so the schema is the format's manual.
 *
 * The body holds the prose. Text before the first `## ` heading is the lesson's
 * introduction; then each `## Heading` section is one step's text, in order, and its
 * heading is the step's title. A lesson has exactly as many `## ` sections as
 * frontmatter steps (`parseLesson` refuses a mismatch). Use `###` and below freely
 * inside a step.
 */
import { z } from 'zod';
import { closedRunSchema, labConfigPatchSchema, lessonLongPollRunSchema } from './config';
import { STEP_NAMES } from './steps';

/** Parts of the visualizer a step can point the reader at. */
export const FOCUS_AREAS = ['queue', 'loop', 'database', 'pool', 'timeline', 'numbers', 'code'] as const;
export type FocusArea = (typeof FOCUS_AREAS)[number];

/** What a run summary reports that a lesson may promise a number for. */
export const EXPECT_METRICS = [
  'durationMs',
  'latencyMaxMs',
  'latencyP50Ms',
  'throughputPerSec',
  'loopDelayMaxMs',
] as const;
export type ExpectMetric = (typeof EXPECT_METRICS)[number];

const slug = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const codeRefSchema = z.union([
  z
    .object({
      handler: z
        .string()
        .regex(
          /^(?:[A-Za-z]+\.(?:blocking|nonblocking|callback)|[a-z_]+_(?:blocking|nonblocking|callback)\.py)$/,
          'handler is a file stem like getUser.blocking, or a Tornado handler file like get_user_blocking.py',
        )
        .describe(
          'A handler that runs: a file stem in server/subject/handlers (e.g. `getUser.blocking`), or a file of the Tornado subject in server/subject-tornado/handlers (e.g. `get_user_blocking.py`). Its source is imported, never copied.',
        ),
      steps: z
        .array(z.enum(STEP_NAMES))
        .max(STEP_NAMES.length)
        .default([])
        .describe(
          'Step markers whose lines are marked: from `step(name)` down to the next marker or the end of the block.',
        ),
      caption: z.string().max(120).optional().describe('A short label over the code, e.g. "Blocking".'),
    })
    .strict(),
  z
    .object({
      file: z
        .string()
        .regex(/^[a-z0-9_]+\.py$/, 'file is a Python file name in the lesson folder, like tornado_2010.py')
        .describe('A Python file in the lesson folder, shown and never run (Tornado examples).'),
      marks: z
        .array(z.string().regex(slug))
        .max(12)
        .default([])
        .describe(
          'Markers whose lines are marked: from a `# step: name` comment down to the next marker or the end of the block.',
        ),
      caption: z.string().max(120).optional().describe('A short label over the code, e.g. "Tornado, 2010".'),
    })
    .strict(),
]);
export type CodeRef = z.infer<typeof codeRefSchema>;

export const experimentSchema = z
  .object({
    config: labConfigPatchSchema.describe('Knobs applied with PUT /api/config before the run (a partial LabConfig).'),
    run: z
      .union([closedRunSchema, lessonLongPollRunSchema])
      .describe(
        'The run started with POST /api/runs: closed loop { requests, concurrency, route? }, or a long-poll run { route: longPoll, requests, concurrency, holdMs? } (requests = concurrency).',
      ),
    lookFor: z
      .string()
      .min(1)
      .max(600)
      .describe('What to watch while it runs, in a sentence or two. Numbers here must be ones the lab shows.'),
    focus: z.enum(FOCUS_AREAS).optional().describe('The part of the visualizer that "what to look for" points at.'),
    expect: z
      .object({
        metric: z.enum(EXPECT_METRICS).describe('Which number of the run summary the lesson promises.'),
        about: z
          .number()
          .positive()
          .describe('Roughly what it should be; tests check it against the model of the lab.'),
      })
      .strict()
      .optional()
      .describe('A number the player shows beside the measured one, e.g. the batch time the model predicts.'),
  })
  .strict();
export type Experiment = z.infer<typeof experimentSchema>;

export const choiceSchema = z
  .object({
    text: z.string().min(1).max(300).describe('The answer as the reader sees it.'),
    correct: z.boolean().default(false).describe('True for the right answer (exactly one per question).'),
    explanation: z.string().min(1).max(600).describe('Shown after choosing it: why it is right, or why not.'),
  })
  .strict();

export const checkSchema = z
  .object({
    question: z.string().min(1).max(400).describe('A question that checks the step was understood.'),
    choices: z
      .array(choiceSchema)
      .min(2)
      .max(5)
      .refine((choices) => choices.filter((c) => c.correct).length === 1, 'exactly one choice must be correct')
      .describe('Two to five choices, each with its explanation; exactly one is correct.'),
  })
  .strict();
export type Check = z.infer<typeof checkSchema>;

export const stepSchema = z
  .object({
    code: z
      .array(codeRefSchema)
      .min(1)
      .max(3)
      .describe('One to three code panes shown side by side (e.g. blocking and non-blocking).'),
    experiment: experimentSchema.describe('The live experiment the "Run this experiment" button starts.'),
    check: checkSchema.describe('The check question at the end of the step.'),
  })
  .strict();
export type StepFrontmatter = z.infer<typeof stepSchema>;

export const lessonFrontmatterSchema = z
  .object({
    title: z.string().min(1).max(80).describe('The lesson title, shown in the list and as the page heading.'),
    summary: z.string().min(1).max(300).describe('One or two sentences: what the reader will see and learn.'),
    steps: z
      .array(stepSchema)
      .min(1)
      .max(8)
      .describe("The steps, in order; step N takes its text from the body's Nth `## ` section."),
  })
  .strict();
export type LessonFrontmatter = z.infer<typeof lessonFrontmatterSchema>;

/** A step ready for the player: frontmatter plus its title and Markdown text from the body. */
export interface LessonStep extends StepFrontmatter {
  title: string;
  /** The step's Markdown (the body section under its `## ` heading, heading excluded). */
  markdown: string;
}

/** A parsed, validated lesson. */
export interface Lesson {
  /** Position in the course, from the folder's NN prefix. */
  number: number;
  /** The folder's slug without the number: the lesson's part of `/lessons/<id>/<step>`. */
  id: string;
  /** The folder name, e.g. `02-the-blocking-call`. */
  folder: string;
  title: string;
  summary: string;
  /** Markdown before the first step. */
  intro: string;
  steps: LessonStep[];
}
