/**
 * The handler as an editor (loaded only when "Edit" is pressed, so CodeMirror stays out of
 * the initial bundle): "Apply and run", "Reset to original", a diff against the original,
 * syntax and type errors marked as the learner types, and the compile error marked at its line.
 */
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { useEffect, useRef, useState } from 'react';
import { type HandlerCheck, type HandlerCompileError, handlerFileOf } from '../../common/handlers';
import {
  diffAgainst,
  diffCompartment,
  handlerExtensions,
  type HandlerLanguage,
  languageOf,
  showProblem,
} from './editorExtensions';
import { type ApplyResult, checkHandler } from './handlersApi';

/**
 * What the type check found, in words: what each kind of problem means for "Apply and run".
 * A Python handler is checked for syntax only (by the lab's Python): there are no types to check.
 */
export function checkSummary(
  result: HandlerCheck | Error | undefined,
  language: HandlerLanguage = 'typescript',
): string {
  if (language === 'python') {
    if (result === undefined) return 'Checking the syntax with the lab’s Python…';
    if (result instanceof Error) return `Syntax not checked: ${result.message}`;
    if (!result.checked) return `Syntax not checked: ${result.reason ?? 'no Python'}. It is checked when you apply.`;
    const errors = result.problems.length;
    if (errors > 0)
      return `${errors} syntax error${errors === 1 ? '' : 's'}: fix ${errors === 1 ? 'it' : 'them'} before applying (marked in the editor). Python is checked for syntax only.`;
    return 'No syntax errors (Python is checked for syntax only: a misspelt name shows when the code runs).';
  }
  if (result === undefined) return 'Checking syntax and types… (the first check loads TypeScript: a few seconds)';
  if (result instanceof Error) return `Types not checked: ${result.message}`;
  if (!result.checked)
    return `Types not checked: ${result.reason ?? 'the checker is unavailable'}. Syntax is checked when you apply.`;
  const syntax = result.problems.filter((p) => p.kind === 'syntax').length;
  const types = result.problems.length - syntax;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (syntax > 0)
    return `${plural(syntax, 'syntax error')}${types ? ` and ${plural(types, 'type error')}` : ''}: fix the syntax before applying (marked in the editor).`;
  if (types > 0)
    return `${plural(types, 'type error')} (marked in the editor). "Apply and run" still runs it: types are erased when the code runs, so see what it does.`;
  return 'No syntax or type errors.';
}

export interface HandlerEditorProps {
  handler: string;
  original: string | undefined;
  initial: string;
  applyAndRun(source: string): Promise<ApplyResult>;
  reset(): Promise<void>;
  close(): void;
}

export default function HandlerEditor({ handler, original, initial, applyAndRun, reset, close }: HandlerEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(undefined);
  const [problem, setProblem] = useState<HandlerCompileError>();
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [diff, setDiff] = useState(false);
  const [typeCheck, setTypeCheck] = useState<HandlerCheck | Error>();
  const language = languageOf(handler);

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial,
        extensions: handlerExtensions(
          `Edit ${handlerFileOf(handler)}`,
          () => setMessage(undefined),
          { check: (source) => checkHandler(handlerFileOf(handler), source), checked: setTypeCheck },
          language,
        ),
      }),
    });
    view.current = editor;
    editor.focus();
    return () => editor.destroy();
    // The editor is created once per mount; later prop changes must not reset what was typed.
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const toggleDiff = () => {
    const next = !diff;
    setDiff(next);
    view.current?.dispatch({ effects: diffCompartment.reconfigure(next ? diffAgainst(original) : []) });
  };

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    try {
      await what();
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  const apply = () =>
    run(async () => {
      const editor = view.current!;
      setMessage(
        language === 'python'
          ? 'Checking and loading your handler (the Tornado subject restarts)…'
          : 'Compiling and loading your handler…',
      );
      const result = await applyAndRun(editor.state.doc.toString());
      if (result.ok) return close();
      setProblem(result.problem);
      showProblem(editor, result.problem);
      setMessage(
        `Not applied: line ${result.problem.line}, column ${result.problem.column}: ${result.problem.error}. The subject still runs the previous version.`,
      );
    });

  const resetToOriginal = () =>
    run(async () => {
      await reset();
      const editor = view.current!;
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: original ?? '' } });
      setProblem(undefined);
      showProblem(editor, undefined);
      setMessage('Back to the original: the subject serves the project’s file again.');
    });

  return (
    <div className="handler-editor" data-testid="handler-editor" data-problem-line={problem?.line ?? ''}>
      <div className="editor-actions" role="toolbar" aria-label="Handler editor">
        <button type="button" className="primary" onClick={() => void apply()} disabled={busy}>
          Apply and run
        </button>
        <button type="button" onClick={() => void resetToOriginal()} disabled={busy}>
          Reset to original
        </button>
        <button type="button" aria-pressed={diff} onClick={toggleDiff} disabled={original === undefined}>
          Diff against original
        </button>
        <button type="button" onClick={close} disabled={busy}>
          Close editor
        </button>
      </div>
      <p className="editor-note">Your code runs in the subject process on this machine, like a dev server's.</p>
      <div ref={host} className="editor-host" />
      <p className="editor-check" data-testid="editor-check" aria-live="polite">
        {checkSummary(typeCheck, language)}
      </p>
      <p role="status" aria-live="polite" className={problem ? 'editor-message error' : 'editor-message'}>
        {message ?? ''}
      </p>
    </div>
  );
}
