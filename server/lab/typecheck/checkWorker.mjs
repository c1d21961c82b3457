// The type checker for edited handlers, on a thread of its own: TypeScript's language
// service over the project's tsconfig, with the edited source standing in for the handler's
// file (so `./context`, `./respond` and the driver's types resolve as they do for the
// original). The first check of a session loads TypeScript and the driver's types (a second
// or two); later ones reuse the program and take tens of milliseconds. It runs here, not on
// the lab's loop, so a check never holds the lab's own requests and WebSocket.
//
// Plain JavaScript: a worker thread does not inherit tsx's loader, and this file needs none.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

const root = workerData.root;
let service;
let failure;
const edited = new Map(); // file path -> { source, version }

async function start() {
  let ts;
  try {
    ts = (await import('typescript')).default;
  } catch (error) {
    failure = `TypeScript is not installed (${error instanceof Error ? error.message : String(error)}); syntax is still checked when you apply`;
    return;
  }
  const configPath = path.join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  const parsed = ts.parseJsonConfigFileContent(config.config ?? {}, ts.sys, root);
  // Handlers are server code: no DOM or Vite types (loading those was most of a first check's time).
  const options = { ...parsed.options, noEmit: true, lib: ['lib.es2023.d.ts'], types: ['node'] };
  const host = {
    getScriptFileNames: () => [...edited.keys()],
    getScriptVersion: (file) => String(edited.get(file)?.version ?? 0),
    getScriptSnapshot: (file) => {
      const mine = edited.get(file);
      if (mine) return ts.ScriptSnapshot.fromString(mine.source);
      if (!ts.sys.fileExists(file)) return undefined;
      return ts.ScriptSnapshot.fromString(readFileSync(file, 'utf8'));
    },
    getCurrentDirectory: () => root,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (settings) => ts.getDefaultLibFilePath(settings),
    fileExists: (file) => edited.has(file) || ts.sys.fileExists(file),
    readFile: (file) => edited.get(file)?.source ?? ts.sys.readFile(file),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  service = { ts, ls: ts.createLanguageService(host, ts.createDocumentRegistry()) };
}

const ready = start();

function check(file, source) {
  const { ts, ls } = service;
  const previous = edited.get(file);
  edited.set(file, { source, version: (previous?.version ?? 0) + 1 });
  const program = ls.getProgram();
  const sourceFile = program?.getSourceFile(file);
  const found = [
    ...ls.getSyntacticDiagnostics(file).map((d) => ({ d, kind: 'syntax' })),
    ...ls.getSemanticDiagnostics(file).map((d) => ({ d, kind: 'type' })),
  ];
  return found
    .filter(({ d }) => d.category === ts.DiagnosticCategory.Error)
    .map(({ d, kind }) => {
      const start =
        sourceFile && d.start !== undefined
          ? sourceFile.getLineAndCharacterOfPosition(d.start)
          : { line: 0, character: 0 };
      const end =
        sourceFile && d.start !== undefined
          ? sourceFile.getLineAndCharacterOfPosition(d.start + (d.length ?? 0))
          : start;
      return {
        kind,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
        code: d.code,
        line: start.line + 1,
        column: start.character + 1,
        endLine: end.line + 1,
        endColumn: end.character + 1,
      };
    });
}

parentPort.on('message', async ({ id, file, source }) => {
  await ready;
  if (!service) return parentPort.postMessage({ id, ok: false, unavailable: failure });
  try {
    parentPort.postMessage({ id, ok: true, problems: check(file, source) });
  } catch (error) {
    parentPort.postMessage({
      id,
      ok: false,
      unavailable: `the type checker failed: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
});
