/**
 * Which source the Code view shows for a handler: the version that served the run on
 * screen (its trace records the source of an edited handler), or, with no run yet, the
 * version the subject serves now. The project's original comes from the build.
 */
import { useCallback, useEffect, useState } from 'react';
import { handlerFileOf, type HandlerFile, type HandlerVersion } from '../../common/handlers';
import { loadHandlerSource } from './handlerSource';
import { listHandlers } from './handlersApi';

export interface HandlerSource {
  /** What to show. */
  text: string | undefined;
  /** The project's file, for the diff and "Reset to original". */
  original: string | undefined;
  /** The source the subject serves now (an edit, or the original); undefined without a lab API (static build). */
  current: HandlerFile | undefined;
  /** True when the shown text is an edited version. */
  edited: boolean;
  /** Re-reads what the subject serves (after an apply or a reset). */
  refresh(): void;
}

export function useHandlerSource(
  handler: string,
  ran: readonly HandlerVersion[] | undefined,
  hasRun: boolean,
): HandlerSource {
  const file = handlerFileOf(handler);
  // The list is the current runtime's: asked again when the handler shown is another runtime's.
  const python = file.endsWith('.py');
  const [original, setOriginal] = useState<{ handler: string; text: string | undefined }>();
  const [served, setServed] = useState<HandlerFile[]>();
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    void loadHandlerSource(handler).then((text) => live && setOriginal({ handler, text }));
    return () => {
      live = false;
    };
  }, [handler]);

  useEffect(() => {
    let live = true;
    listHandlers().then(
      (list) => live && setServed(list),
      () => live && setServed(undefined),
    );
    return () => {
      live = false;
    };
  }, [generation, python]);

  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  const originalText = original?.handler === handler ? original.text : undefined;
  const current = served?.find((h) => h.file === file);
  const ranEdit = ran?.find((v) => v.file === file)?.source;
  const liveEdit = !hasRun && current?.edited ? current.source : undefined;
  const shownEdit = ranEdit ?? liveEdit;
  return { text: shownEdit ?? originalText, original: originalText, current, edited: shownEdit !== undefined, refresh };
}
