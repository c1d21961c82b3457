/**
 * The course, read at build time: every `lessons/NN-slug/lesson.md` is bundled as text,
 * parsed and validated. Handler sources are imported from server/subject/handlers (the
 * code that runs, never a copy), each in its own lazily loaded chunk.
 */
import type { CodeRef, Lesson } from '../../common/lesson';
import { handlerPath, loadHandlerSource } from '../code/handlerSource';
import type { CodeLanguage } from './highlight';
import { parseLesson } from './parse';
import { markedLines } from '../code/markers';
import { showPython } from './showPython';

const lessonFiles = import.meta.glob('/lessons/*/lesson.md', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;
const pythonFiles = import.meta.glob('/lessons/*/*.py', { query: '?raw', import: 'default' }) as Record<
  string,
  () => Promise<string>
>;

export interface Course {
  lessons: Lesson[];
  /** Lessons that failed to parse, one message each (the tests keep this empty). */
  problems: string[];
}

export function loadCourse(files: Record<string, string> = lessonFiles): Course {
  const lessons: Lesson[] = [];
  const problems: string[] = [];
  for (const [path, raw] of Object.entries(files)) {
    const folder = path.split('/').at(-2) ?? path;
    try {
      lessons.push(parseLesson(folder, raw));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  lessons.sort((a, b) => a.number - b.number);
  return { lessons, problems };
}

export const course: Course = loadCourse();

export interface LoadedCode {
  /** What the pane is called: the handler's file name, or the Python file's. */
  name: string;
  code: string;
  lang: CodeLanguage;
  /** 1-based lines to mark. */
  marked: Set<number>;
}

export async function loadCode(lesson: Lesson, ref: CodeRef): Promise<LoadedCode> {
  if ('handler' in ref) {
    const python = ref.handler.endsWith('.py'); // the Tornado subject's handlers
    const source = await loadHandlerSource(ref.handler);
    if (source === undefined) throw new Error(`${handlerPath(ref.handler)} is missing`);
    const code = source.replace(/\n$/, '');
    const name = python ? ref.handler : `${ref.handler}.ts`;
    return { name, code, lang: python ? 'python' : 'typescript', marked: markedLines(code, 'call', ref.steps) };
  }
  const load = pythonFiles[`/lessons/${lesson.folder}/${ref.file}`];
  if (!load) throw new Error(`lessons/${lesson.folder}/${ref.file} is missing`);
  const { code, marked } = showPython((await load()).replace(/\n$/, ''), ref.marks);
  return { name: ref.file, code, lang: 'python', marked };
}
