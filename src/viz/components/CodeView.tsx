import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { ThemedToken } from 'shiki/core';
import { applyAndRun } from '../../code/applyAndRun';
import { handlerPath, stepLines } from '../../code/handlerSource';
import { resetHandler } from '../../code/handlersApi';
import { markedLines } from '../../code/markers';
import { highlight, readableOn } from '../../lessons/highlight';
import { useHandlerSource } from '../../code/useHandlerSource';
import { handlerFileOf, type HandlerVersion } from '../../../common/handlers';
import { useLab } from '../../lab/LabContext';
import { requestName } from '../../trace/narrate';
import type { RequestLifecycle, StepMark } from '../../trace/lifecycle';

// CodeMirror loads only when someone edits: the initial bundle stays as it was.
const HandlerEditor = lazy(() => import('../../code/HandlerEditor'));

interface CodeViewProps {
  handler: string;
  follow: RequestLifecycle | undefined;
  step: StepMark | undefined;
  /** The handler versions that served the run on screen (from its run.started), if any. */
  ran?: readonly HandlerVersion[] | undefined;
  hasRun?: boolean;
}

/** Shiki's colours for a source, once loaded (plain text until then, or if it fails). */
function useTokens(text: string | undefined, lang: 'typescript' | 'python'): ThemedToken[][] | undefined {
  const [tokens, setTokens] = useState<{ text: string; lines: ThemedToken[][] }>();
  useEffect(() => {
    if (!text) return;
    let live = true;
    highlight(text, lang).then(
      (lines) => live && setTokens({ text, lines }),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [text, lang]);
  return tokens && tokens.text === text ? tokens.lines : undefined;
}

/**
 * The handler that ran (the edited version, if one served the run), coloured, with the
 * followed request's step line highlighted and the statements of that step (the
 * `findOne` a request waits on, say) marked below it.
 */
export function CodeView({ handler, follow, step, ran, hasRun = false }: CodeViewProps) {
  const lab = useLab();
  const source = useHandlerSource(handler, ran, hasRun);
  const [editing, setEditing] = useState(false);
  const { text } = source;
  const lines = useMemo(() => (text ? text.split('\n') : []), [text]);
  const markers = useMemo(() => (text ? stepLines(text) : new Map<string, number>()), [text]);
  const active = step ? markers.get(step.step) : undefined;
  const region = useMemo(
    () => (text && step ? markedLines(text, 'call', [step.step]) : new Set<number>()),
    [text, step],
  );
  const tokens = useTokens(text, handler.endsWith('.py') ? 'python' : 'typescript');
  const firstInStep = [...region].find((n) => n !== active);
  const file = handlerFileOf(handler);
  return (
    <div
      className="code-view"
      data-testid="view-code"
      data-handler={handler}
      data-edited={source.edited}
      data-highlighted-line={active ?? ''}
    >
      <p className="code-caption">
        <code>{handlerPath(handler)}</code>
        {source.edited && <strong className="edited-badge"> (edited)</strong>}
        {follow ? (
          <>
            {' '}
            · following <strong>{requestName(follow)}</strong>
            {step ? (
              <>
                {' '}
                at step <strong>{step.step}</strong>
              </>
            ) : (
              ' (not in the handler yet)'
            )}
          </>
        ) : (
          ' · select a request in the timeline, or step through the run'
        )}
        {source.current && !editing && (
          <button type="button" className="code-edit" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
      </p>
      {source.original === undefined && text === undefined && (
        <p className="warning">This handler's source is not in the build.</p>
      )}
      {editing && source.current ? (
        <Suspense fallback={<p>Loading the editor…</p>}>
          <HandlerEditor
            handler={handler}
            original={source.original}
            initial={source.current.source}
            applyAndRun={async (edited) => {
              const result = await applyAndRun(lab, handler, edited);
              if (result.ok) source.refresh();
              return result;
            }}
            reset={async () => {
              await resetHandler(file);
              source.refresh();
            }}
            close={() => setEditing(false)}
          />
        </Suspense>
      ) : (
        // A named, focusable region (the source scrolls; keyboard users scroll it): a bare <pre>
        // may not carry aria-label, which axe flagged while the source was still on its way.
        <pre className="code" role="region" aria-label={`Source of ${handler}`} tabIndex={0}>
          {lines.map((line, i) => {
            const n = i + 1;
            const isActive = n === active;
            const inStep = !isActive && region.has(n);
            const coloured = tokens?.[i];
            return (
              <span
                key={n}
                className={`code-line${isActive ? ' active' : ''}${inStep ? ' in-step' : ''}`}
                aria-current={isActive ? 'step' : undefined}
                data-testid={isActive ? 'code-line-active' : inStep ? 'code-line-in-step' : undefined}
              >
                <span className="line-no" aria-hidden="true">
                  {inStep ? '▸' : ''}
                  {n}
                </span>
                {isActive && <span className="visually-hidden">current line: </span>}
                {n === firstInStep && <span className="visually-hidden">this step runs: </span>}
                {coloured
                  ? coloured.map((token, t) => (
                      <span key={t} style={token.color ? { color: readableOn(token.color) } : undefined}>
                        {token.content}
                      </span>
                    ))
                  : line || ' '}
                {isActive && (
                  <span className="here" aria-hidden="true">
                    {' '}
                    ◀ here
                  </span>
                )}
                {'\n'}
              </span>
            );
          })}
        </pre>
      )}
    </div>
  );
}
