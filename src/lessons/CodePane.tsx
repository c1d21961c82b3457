import { memo, useEffect, useState } from 'react';
import type { ThemedToken } from 'shiki/core';
import type { CodeRef, Lesson } from '../../common/lesson';
import { highlight, readableOn } from './highlight';
import { loadCode, type LoadedCode } from './load';
import { findMarkers } from '../code/markers';

/** Lines as "3–7, 12" for the screen-reader description of what is marked. */
function describeLines(lines: Set<number>): string {
  const sorted = [...lines].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(', ');
}

interface CodePaneProps {
  lesson: Lesson;
  /** Which file and markers. */
  codeRef: CodeRef;
  id: string;
  /** The step the visualizer's followed request is at in this handler, if it is this one. */
  liveStep?: string | undefined;
}

/**
 * One source file with its step's lines marked; plain text first, colours when Shiki has
 * loaded. Memoised: the live step changes every animation frame, the pane only when it moves.
 */
export const CodePane = memo(function CodePane({ lesson, codeRef, id, liveStep }: CodePaneProps) {
  const [code, setCode] = useState<LoadedCode | null>(null);
  const [tokens, setTokens] = useState<ThemedToken[][] | null>(null);
  const [error, setError] = useState<string | null>(null);

  // The step view is keyed by step, so a pane mounts fresh for each step: no reset needed.
  useEffect(() => {
    let live = true;
    loadCode(lesson, codeRef)
      .then((loaded) => {
        if (!live) return;
        setCode(loaded);
        return highlight(loaded.code, loaded.lang).then((t) => live && setTokens(t));
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [lesson, codeRef]);

  const caption = codeRef.caption ?? code?.name ?? ('handler' in codeRef ? `${codeRef.handler}.ts` : codeRef.file);
  if (error)
    return (
      <p role="alert" className="lesson-error">
        Could not show {caption}: {error}
      </p>
    );
  if (!code) return <p className="lesson-code-loading">Loading {caption}…</p>;

  const lines = tokens ?? code.code.split('\n').map((text) => [{ content: text, offset: 0 } as ThemedToken]);
  const liveLine = liveStep ? findMarkers(code.code, 'call').find((m) => m.name === liveStep)?.line : undefined;
  const descId = `${id}-marked`;
  return (
    <figure className="lesson-code">
      <figcaption>
        {caption}
        {codeRef.caption ? <span className="lesson-code-file"> · {code.name}</span> : null}
        {liveLine ? (
          <span className="lesson-code-live">
            {' '}
            {/* Not the request's id: that is the lab's bookkeeping, not something a reader needs. */}· ● the request on
            the stage is at <code>{liveStep}</code>
          </span>
        ) : null}
      </figcaption>
      <p id={descId} className="visually-hidden">
        {code.marked.size ? `Marked lines: ${describeLines(code.marked)}.` : 'No lines marked.'}
      </p>
      <pre tabIndex={0} aria-describedby={descId} data-lang={code.lang}>
        <code>
          {lines.map((line, index) => {
            const marked = code.marked.has(index + 1);
            const live = liveLine === index + 1;
            return (
              <span
                key={index}
                className={`line${marked ? ' marked' : ''}${live ? ' live' : ''}`}
                data-line={index + 1}
              >
                <span className="gutter" aria-hidden="true">
                  {live ? '●' : marked ? '▶' : ' '}
                  {String(index + 1).padStart(3, ' ')}
                </span>
                {line.map((token, t) => (
                  <span key={t} style={token.color ? { color: readableOn(token.color) } : undefined}>
                    {token.content}
                  </span>
                ))}
                {'\n'}
              </span>
            );
          })}
        </code>
      </pre>
    </figure>
  );
});
