/**
 * Turns one `lessons/NN-slug/lesson.md` into a validated `Lesson`. Pure: the loader and
 * the unit tests (which read the files from disk) both call it.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { lessonFrontmatterSchema, type Lesson } from '../../common/lesson';

export class LessonFormatError extends Error {
  constructor(folder: string, message: string) {
    super(`lessons/${folder}/lesson.md: ${message}`);
    this.name = 'LessonFormatError';
  }
}

const FOLDER = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

/** `02-the-blocking-call` -> { number: 2, id: 'the-blocking-call' }, or null. */
export function parseFolderName(folder: string): { number: number; id: string } | null {
  const match = FOLDER.exec(folder);
  return match ? { number: Number(match[1]), id: match[2] ?? '' } : null;
}

/** Splits `---\nyaml\n---\nbody` into its two halves. */
export function splitFrontmatter(raw: string): { yaml: string; body: string } | null {
  const text = raw.replace(/\r\n/g, '\n');
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text);
  return match ? { yaml: match[1] ?? '', body: match[2] ?? '' } : null;
}

/** A line that opens or closes a fenced code block (``` or ~~~), with its fence. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The body's intro (before the first `## `) and one { title, markdown } per `## ` section.
 * A `## ` inside a fenced code block (a Python comment, a Markdown sample) is code, not a step.
 */
export function splitSections(body: string): { intro: string; sections: { title: string; markdown: string }[] } {
  const chunks: string[][] = [[]];
  let fence: string | null = null;
  for (const line of body.split('\n')) {
    const opener = FENCE.exec(line)?.[1];
    if (fence === null && opener) fence = opener;
    else if (
      fence !== null &&
      opener &&
      opener[0] === fence[0] &&
      opener.length >= fence.length &&
      line.trim() === opener
    )
      fence = null;
    else if (fence === null && /^## +/.test(line)) {
      chunks.push([line.replace(/^## +/, '')]);
      continue;
    }
    chunks.at(-1)!.push(line);
  }
  const intro = chunks.shift()!.join('\n').trim();
  const sections = chunks.map(([heading = '', ...rest]) => ({
    title: heading.trim(),
    markdown: rest.join('\n').trim(),
  }));
  return { intro, sections };
}

export function parseLesson(folder: string, raw: string): Lesson {
  const name = parseFolderName(folder);
  if (!name) throw new LessonFormatError(folder, 'the folder name must look like NN-slug (e.g. 02-the-blocking-call)');
  const split = splitFrontmatter(raw);
  if (!split) throw new LessonFormatError(folder, 'the file must start with frontmatter between two --- lines');

  let data: unknown;
  try {
    data = parseYaml(split.yaml);
  } catch (error) {
    throw new LessonFormatError(folder, `the frontmatter is not valid YAML: ${(error as Error).message}`);
  }
  const result = lessonFrontmatterSchema.safeParse(data);
  if (!result.success) throw new LessonFormatError(folder, z.prettifyError(result.error));
  const frontmatter = result.data;

  const { intro, sections } = splitSections(split.body);
  if (sections.length !== frontmatter.steps.length) {
    throw new LessonFormatError(
      folder,
      `the frontmatter has ${frontmatter.steps.length} steps but the body has ${sections.length} "## " sections`,
    );
  }
  const empty = sections.findIndex((section) => !section.title || !section.markdown);
  if (empty !== -1) throw new LessonFormatError(folder, `step ${empty + 1} needs a "## " title and some text`);

  return {
    number: name.number,
    id: name.id,
    folder,
    title: frontmatter.title,
    summary: frontmatter.summary,
    intro,
    steps: frontmatter.steps.map((step, index) => ({
      ...step,
      title: sections[index]?.title ?? '',
      markdown: sections[index]?.markdown ?? '',
    })),
  };
}
