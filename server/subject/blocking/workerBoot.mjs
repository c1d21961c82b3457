// Worker threads do not inherit tsx's loader from the parent's --import in Node 20, so
// each database thread starts here, registers tsx, then loads its TypeScript entry.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
