// Starts a compiled database thread (build/server/dbThread.cjs) from V8's code cache.
//
// Why by hand: a database thread loads the whole MongoDB driver, and the executor starts
// up to 16 of them at once, each parsing and compiling the same ~1.8 MB of JavaScript (on a
// 2-core machine that alone took most of a 3 s restart). Node 20 has no compile cache for
// modules (module.enableCompileCache arrived in Node 22), but vm.Script takes V8's cached
// data: the first thread compiles and writes `<bundle>.cache` beside the bundle, and every
// later thread skips most of the compiling. A cache V8 rejects (another Node, another build)
// is simply rewritten; a folder we cannot write to only costs the speed-up.
'use strict';
const { existsSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { threadId, workerData } = require('node:worker_threads');

const bundle = workerData.bundle;
const cacheFile = `${bundle}.cache`;
const source = readFileSync(bundle, 'utf8');
let cachedData;
try {
  if (existsSync(cacheFile)) cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
const module_ = { exports: {} };
script.runInThisContext()(module_.exports, createRequire(bundle), module_, bundle, path.dirname(bundle));
if (cachedData === undefined || script.cachedDataRejected) {
  try {
    // Through a temporary file: threads starting together never read half a cache.
    const temporary = `${cacheFile}.${process.pid}.${threadId}.tmp`;
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
  } catch {
    // A read-only install: every thread compiles, as it would without this file.
  }
}
