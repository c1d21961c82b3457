// Worker threads do not inherit tsx's loader on Node 20 (`--import tsx` in a worker's
// execArgv fails with ERR_UNKNOWN_FILE_EXTENSION), so this plain-JS bootstrap registers
// it and then loads the TypeScript entry named in workerData.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
