/**
 * The CodeMirror 6 setup for a handler: TypeScript (Python for the Tornado subject's), a diff against the project's original
 * (a unified merge view, switched on and off through a compartment), syntax and type errors
 * from the lab's type checker as the learner types, and compile errors as diagnostics at
 * their line and column.
 */
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import { type Diagnostic, linter, lintGutter, setDiagnostics } from '@codemirror/lint';
import { unifiedMergeView } from '@codemirror/merge';
import { Compartment, type Extension, type Text } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import type { HandlerCheck, HandlerCompileError, HandlerProblem } from '../../common/handlers';

export const diffCompartment = new Compartment();

/** Asks the lab for a source's problems; the editor shows them and says what they mean for "Apply". */
export interface TypeCheckHooks {
  check(source: string): Promise<HandlerCheck>;
  checked(result: HandlerCheck | Error): void;
}

export type HandlerLanguage = 'typescript' | 'python';

/** A handler's language by its file or trace name: the Tornado subject's end in .py. */
export const languageOf = (handler: string): HandlerLanguage => (handler.endsWith('.py') ? 'python' : 'typescript');

export function handlerExtensions(
  label: string,
  onChange: () => void,
  typeCheck?: TypeCheckHooks,
  language: HandlerLanguage = 'typescript',
): Extension[] {
  return [
    basicSetup,
    language === 'python' ? python() : javascript({ typescript: true }),
    lintGutter(),
    typeCheck ? typeCheckLinter(typeCheck) : [],
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

/** Position of a 1-based line and column, clamped to the document. */
function positionOf(doc: Text, line: number, column: number): number {
  const at = doc.line(Math.min(Math.max(line, 1), doc.lines));
  return Math.min(at.from + Math.max(column - 1, 0), at.to);
}

/**
 * A checker's problem as a diagnostic. A syntax error is an error (nothing can run); a type
 * error is a warning: the code still runs, since types are erased, and some edits are made to
 * show what happens then (a forgotten await).
 */
export function problemDiagnostic(doc: Text, problem: HandlerProblem): Diagnostic {
  const from = positionOf(doc, problem.line, problem.column);
  const end = positionOf(doc, problem.endLine, problem.endColumn);
  const to = Math.max(end, Math.min(from + 1, doc.line(Math.min(Math.max(problem.line, 1), doc.lines)).to));
  return {
    from,
    to,
    severity: problem.kind === 'syntax' ? 'error' : 'warning',
    source: problem.kind === 'syntax' ? 'syntax' : `TypeScript ${problem.code}`,
    message: problem.message,
  };
}

const typeCheckLinter = ({ check, checked }: TypeCheckHooks): Extension =>
  linter(
    async (view) => {
      const doc = view.state.doc;
      try {
        const result = await check(doc.toString());
        checked(result);
        // The document may have changed meanwhile: CodeMirror drops diagnostics of an older state.
        return result.problems.map((problem) => problemDiagnostic(doc, problem));
      } catch (error) {
        checked(error instanceof Error ? error : new Error(String(error)));
        return [];
      }
    },
    { delay: 400 },
  );
