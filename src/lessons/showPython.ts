/**
 * A lesson's Python file as the reader sees it: the `# step:` comments that tell the
 * player which lines to mark are authoring notes, so they are taken out (a marker on its
 * own line goes entirely, one ending a line of code leaves the code) and the marked line
 * numbers move with the lines that remain.
 */
import { markedLines, markerOn, trailingMarkerOn } from '../code/markers';

export function showPython(source: string, marks: readonly string[]): { code: string; marked: Set<number> } {
  const markedBefore = markedLines(source, 'comment', marks);
  const shown: string[] = [];
  const marked = new Set<number>();
  source.split('\n').forEach((line, index) => {
    if (markerOn(line, 'comment')) return;
    const text = trailingMarkerOn(line, 'comment') ? line.replace(/\s+#\s*step:\s*[a-z0-9-]+\s*$/, '') : line;
    shown.push(text);
    if (markedBefore.has(index + 1)) marked.add(shown.length);
  });
  return { code: shown.join('\n'), marked };
}
