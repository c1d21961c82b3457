/**
 * The CodeMirror 6 setup for a handler: TypeScript, a diff against the project's original
 * (a unified merge view, switched on and off through a compartment), and compile errors
 * as diagnostics at their line and column.
 */
import { javascript } from '@codemirror/lang-javascript';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { unifiedMergeView } from '@codemirror/merge';
import { Compartment, type Extension, type Text } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import type { HandlerCompileError } from '../../common/handlers';

export const diffCompartment = new Compartment();

export function handlerExtensions(label: string, onChange: () => void): Extension[] {
  return [
    basicSetup,
    javascript({ typescript: true }),
    lintGutter(),
    diffCompartment.of([]),
    EditorView.contentAttributes.of({ 'aria-label': label }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange();
    }),
  ];
}

export const diffAgainst = (original: string | undefined): Extension =>
  original === undefined ? [] : unifiedMergeView({ original, mergeControls: false, gutter: true });

/** The compile error as a diagnostic: 1-based line and column, clamped to the document. */
export function compileDiagnostic(doc: Text, problem: HandlerCompileError): Diagnostic {
  const line = doc.line(Math.min(Math.max(problem.line, 1), doc.lines));
  const from = Math.min(line.from + Math.max(problem.column - 1, 0), line.to);
  return { from, to: Math.min(from + 1, line.to), severity: 'error', message: problem.error };
}

export const showProblem = (view: EditorView, problem: HandlerCompileError | undefined) =>
  view.dispatch(setDiagnostics(view.state, problem ? [compileDiagnostic(view.state.doc, problem)] : []));
