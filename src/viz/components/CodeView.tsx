import { useEffect, useMemo, useState } from 'react';
import { handlerPath, loadHandlerSource, stepLines } from '../../code/handlerSource';
import { requestName } from '../../trace/narrate';
import type { RequestLifecycle, StepMark } from '../../trace/lifecycle';

/** The handler that ran, with the followed request's current line highlighted. */
export function CodeView({ handler, follow, step }: { handler: string; follow: RequestLifecycle | undefined; step: StepMark | undefined }) {
  const [source, setSource] = useState<{ handler: string; text: string | undefined }>();
  useEffect(() => {
    let cancelled = false;
    void loadHandlerSource(handler).then((text) => !cancelled && setSource({ handler, text }));
    return () => {
      cancelled = true;
    };
  }, [handler]);
  const text = source?.handler === handler ? source.text : undefined;
  const lines = useMemo(() => (text ? text.split('\n') : []), [text]);
  const markers = useMemo(() => (text ? stepLines(text) : new Map<string, number>()), [text]);
  const active = step ? markers.get(step.step) : undefined;
  return (
    <div className="code-view" data-testid="view-code" data-handler={handler} data-highlighted-line={active ?? ''}>
      <p className="code-caption">
        <code>{handlerPath(handler)}</code>
        {follow ? (
          <>
            {' '}· following <strong>{requestName(follow)}</strong>
            {step ? <> at step <strong>{step.step}</strong></> : ' (not in the handler yet)'}
          </>
        ) : (
          ' · select a request in the timeline, or step through the run'
        )}
      </p>
      {source && text === undefined && <p className="warning">This handler's source is not in the build.</p>}
      <pre className="code" aria-label={`Source of ${handler}`} tabIndex={0}>
        {lines.map((line, i) => {
          const n = i + 1;
          const isActive = n === active;
          return (
            <span key={n} className={`code-line${isActive ? ' active' : ''}`} aria-current={isActive ? 'step' : undefined} data-testid={isActive ? 'code-line-active' : undefined}>
              <span className="line-no" aria-hidden="true">{n}</span>
              {isActive && <span className="visually-hidden">current line: </span>}
              {line || ' '}
              {isActive && <span className="here" aria-hidden="true"> ◀ here</span>}
              {'\n'}
            </span>
          );
        })}
      </pre>
    </div>
  );
}
