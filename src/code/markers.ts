/**
 * The one step-marker parser: which lines a lesson marks, and the line the Code view
 * highlights for the step a request is at.
 *
 * Handlers mark their steps with a call on its own line (`step('query')`, `self.step('query')`
 * in the Tornado subject's handlers); the Python
 * files shown in lessons use a comment (`# step: pitfall-port`). A marker's region runs
 * from the marker line down to the line before the next marker, or to the end of the
 * block the marker sits in (the first non-blank line indented less than the marker),
 * whichever comes first. Trailing blank lines are not part of it. In Python files a
 * marker may also end a line of code (`port=27017,  # step: fix`): it marks that line only.
 *
 * Hand-written because it is a few lines of line-scanning that no highlighter knows:
 * Shiki highlights tokens, it does not know what our markers mean.
 */

export type MarkerSyntax = 'call' | 'comment';

const CALL_MARKER = /^\s*(?:self\.)?step\(\s*['"]([A-Za-z0-9_-]+)['"]/;
const COMMENT_MARKER = /^\s*#\s*step:\s*([a-z0-9-]+)\s*$/;
const TRAILING_MARKER = /\S.*?\s#\s*step:\s*([a-z0-9-]+)\s*$/;

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** The marker on a line, or null. */
export function markerOn(line: string, syntax: MarkerSyntax): string | null {
  const match = (syntax === 'call' ? CALL_MARKER : COMMENT_MARKER).exec(line);
  return match?.[1] ?? null;
}

/** A marker at the end of a line of code (Python files only), or null. */
export function trailingMarkerOn(line: string, syntax: MarkerSyntax): string | null {
  if (syntax !== 'comment' || COMMENT_MARKER.test(line)) return null;
  return TRAILING_MARKER.exec(line)?.[1] ?? null;
}

/** Every marker in a source, in order, with its 1-based line number. */
export function findMarkers(source: string, syntax: MarkerSyntax): { name: string; line: number }[] {
  const found: { name: string; line: number }[] = [];
  source.split('\n').forEach((text, index) => {
    const name = markerOn(text, syntax) ?? trailingMarkerOn(text, syntax);
    if (name) found.push({ name, line: index + 1 });
  });
  return found;
}

/** The 1-based line numbers marked for `names` (a marker may appear more than once). */
export function markedLines(source: string, syntax: MarkerSyntax, names: readonly string[]): Set<number> {
  const lines = source.split('\n');
  const marked = new Set<number>();
  const wanted = new Set(names);
  lines.forEach((text, start) => {
    const trailing = trailingMarkerOn(text, syntax);
    if (trailing) {
      if (wanted.has(trailing)) marked.add(start + 1);
      return;
    }
    const name = markerOn(text, syntax);
    if (!name || !wanted.has(name)) return;
    const indent = indentOf(text);
    let end = start; // inclusive, 0-based
    for (let i = start + 1; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (markerOn(line, syntax)) break;
      if (line.trim() !== '' && indentOf(line) < indent) break;
      end = i;
    }
    while (end > start && (lines[end] ?? '').trim() === '') end--;
    for (let i = start; i <= end; i++) marked.add(i + 1);
  });
  return marked;
}
