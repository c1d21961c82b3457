/**
 * A stand-in lab for the crash test: runs the real supervisor with the Tornado subject
 * (argv: database URI, workers, and the folder of the test run's build or ''), prints the
 * subject's process id and those of the processes it started (a balancer's Python workers)
 * as one JSON line, then idles until it is killed.
 */
import { DEFAULT_CONFIG } from '../../../common/config';
import { LAB_DB_NAME } from '../../../server/db/seed';
import { createSubjectSupervisor } from '../../../server/subject/supervisor';
import { childPids } from './pids';

const [uri = '', workers = '1', buildDir = ''] = process.argv.slice(2);
// The latency proxy from the run's build (tests/setup/buildOnce.ts), as the test's own process
// starts it, instead of compiling the children again in this process.
if (buildDir) globalThis.__eventLoopLabLaunch = { mode: 'build', buildDir };
const supervisor = createSubjectSupervisor({ mongoUri: uri, dbName: LAB_DB_NAME, onEvents: () => undefined });
await supervisor.start({ ...DEFAULT_CONFIG, runtime: 'tornado', workers: Number(workers) });
const subject = supervisor.pids().subject!;
console.log(JSON.stringify({ processes: [subject, ...childPids(subject)] }));
setInterval(() => undefined, 60_000);
