/**
 * Finding a Python that can run the Tornado subject: one that can `import tornado, pymongo`
 * and has a non-blocking driver (Motor, or pymongo >= 4.9 with its AsyncMongoClient).
 *
 * Looked for in order: `--python PATH` (the CLI puts it in LAB_PYTHON), LAB_PYTHON, `python3`
 * on PATH, `/usr/bin/python3`, each probed by running it. The first that passes is used.
 * The answer is computed once per lab process. Without one, the lab still starts: the
 * Tornado runtime is reported unavailable, with the command that would install it.
 */
import { execFile } from 'node:child_process';
import type { TornadoRuntimeInfo } from '../../common/api';

export const TORNADO_INSTALL =
  'sudo apt-get install python3-tornado python3-pymongo python3-motor (or: pip install tornado pymongo motor)';

const PROBE = `
import json, sys, tornado, pymongo
info = {'python': sys.executable, 'tornado': tornado.version, 'pymongo': pymongo.version}
try:
    import motor
    info['motor'] = motor.version
except ImportError:
    pass
print(json.dumps(info))
`;

interface Probed {
  python: string;
  tornado: string;
  pymongo: string;
  motor?: string;
}

const major = (version: string): number[] => version.split('.').map((part) => Number.parseInt(part, 10) || 0);
const atLeast = (version: string, [wantMajor, wantMinor]: [number, number]): boolean => {
  const [m = 0, n = 0] = major(version);
  return m > wantMajor || (m === wantMajor && n >= wantMinor);
};

function probe(python: string): Promise<Probed> {
  return new Promise((resolve, reject) => {
    execFile(
      python,
      ['-c', PROBE],
      { timeout: 20_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
      (error, stdout, stderr) => {
        if (error) {
          const last = stderr.trim().split('\n').pop() ?? '';
          return reject(new Error(last || error.message));
        }
        try {
          resolve(JSON.parse(stdout) as Probed);
        } catch {
          reject(new Error(`unexpected answer: ${stdout.slice(0, 200)}`));
        }
      },
    );
  });
}

/** What a probed interpreter offers, or why it will not do. */
function judge(found: Probed): TornadoRuntimeInfo | string {
  if (!atLeast(found.tornado, [6, 0])) return `Tornado ${found.tornado} is too old (6 or newer is needed)`;
  const base = { available: true as const, python: found.python, tornado: found.tornado, pymongo: found.pymongo };
  if (atLeast(found.pymongo, [4, 9]))
    return { ...base, asyncDriver: `PyMongo ${found.pymongo} AsyncMongoClient (native asyncio)` };
  if (found.motor)
    return { ...base, motor: found.motor, asyncDriver: `Motor ${found.motor} (pymongo on a thread pool)` };
  return `no non-blocking driver: Motor is not installed and pymongo ${found.pymongo} has no AsyncMongoClient (4.9 or newer)`;
}

export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const candidates = [env.LAB_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  return [...new Set(candidates)];
}

export async function detectTornado(candidates = pythonCandidates()): Promise<TornadoRuntimeInfo> {
  const problems: string[] = [];
  for (const python of candidates) {
    try {
      const verdict = judge(await probe(python));
      if (typeof verdict !== 'string') return verdict;
      problems.push(`${python}: ${verdict}`);
    } catch (error) {
      problems.push(`${python}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { available: false, reason: problems.join('; '), install: TORNADO_INSTALL };
}

let cached: Promise<TornadoRuntimeInfo> | undefined;

/** The Tornado runtime as this lab process sees it (probed once). */
export function tornadoRuntime(): Promise<TornadoRuntimeInfo> {
  cached ??= detectTornado();
  return cached;
}

/** The one line `npm start` prints about it. */
export function describeTornado(info: TornadoRuntimeInfo): string {
  if (!info.available) return `Tornado runtime unavailable (${info.reason}); to enable it: ${info.install}`;
  return `Tornado runtime: ${info.python}, Tornado ${info.tornado}, pymongo ${info.pymongo}, non-blocking via ${info.asyncDriver}`;
}
