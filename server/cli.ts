/**
 * `npm start`: the database, the subject, the lab server and the UI, on one port.
 * `npm run dev` (--dev): the same backend plus Vite's dev server, which proxies /api and
 * /subject here (vite.config.ts); the lab then does not serve dist/.
 *
 * Flags: --port (default PORT or 3000), --host (default 127.0.0.1), --offline,
 * --mongodb-uri URI, --data-dir DIR (default .lab/), --python PATH (the Tornado runtime's
 * interpreter; else LAB_PYTHON, python3 on PATH, /usr/bin/python3), --dev, --classroom (listens on
 * 0.0.0.0 unless --host is given, prints the students' join URL, its QR code and the
 * presenter link), --allow-edit (handler editing even when listening beyond loopback),
 * --joins-per-minute N (classroom seats one client address may take a minute, default 5),
 * --allow-origin URL (a static copy of the site that may drive this lab), --allow-host
 * NAME[:PORT] (another name this lab answers to, e.g. behind a reverse proxy; repeatable or
 * comma separated; see server/lab/guard.ts).
 */
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeDatabase, startDatabase } from './db/resolve';
import { markShuttingDown } from './process/children';
import { watchParent } from './process/parentWatch';
import { type DatabaseState, keepDatabase } from './db/keeper';
import { describeTornado, tornadoRuntime } from './subject-tornado/python';
import { openableUrls } from './lab/classroom/joinUrl';
import { JOINS_PER_MINUTE_RANGE } from './lab/classroom/joinLimit';
import { parseAllowHosts } from './lab/guard';
import { ensureUiBuilt } from './lab/ui';
import { createStartupClock } from './startupClock';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm start -- [--port N] [--host H] [--offline] [--mongodb-uri URI] [--data-dir DIR] [--python PATH] [--dev] [--classroom] [--joins-per-minute N] [--allow-edit] [--allow-origin URL] [--allow-host NAME[:PORT],...]`;

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

function parseFlags() {
  try {
    const { values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        classroom: { type: 'boolean', default: false },
        'joins-per-minute': { type: 'string' },
        'allow-edit': { type: 'boolean', default: false },
        'allow-origin': { type: 'string', multiple: true, default: [] },
        'allow-host': { type: 'string', multiple: true, default: [] },
        offline: { type: 'boolean', default: false },
        'mongodb-uri': { type: 'string' },
        'data-dir': { type: 'string', default: '.lab' },
        python: { type: 'string' },
        dev: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const portText = values.port ?? process.env.PORT ?? '3000';
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65_535)
      fail(`--port must be a number from 0 to 65535, not "${portText}"\n${USAGE}`, 2);
    const joinsText = values['joins-per-minute'];
    const joinsPerMinute = joinsText === undefined ? undefined : Number(joinsText);
    const { min, max } = JOINS_PER_MINUTE_RANGE;
    if (joinsText !== undefined && (!/^\d+$/.test(joinsText) || joinsPerMinute! < min || joinsPerMinute! > max)) {
      fail(`--joins-per-minute must be a whole number from ${min} to ${max}, not "${joinsText}"\n${USAGE}`, 2);
    }
    const allowHosts = parseAllowHosts(values['allow-host']);
    // A classroom's phones must reach the lab: all interfaces, unless --host says otherwise.
    return {
      ...values,
      port,
      joinsPerMinute,
      allowHosts,
      host: values.host ?? (values.classroom ? '0.0.0.0' : '127.0.0.1'),
    };
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`, 2);
  }
}

/** How long a graceful stop may take before the lab exits regardless, ms. */
const STOP_DEADLINE_MS = 4000;

/** Checks the port before starting anything, so a clash is reported in a second, not after the database. */
function portFree(port: number, host: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    probe.listen(port, host, () => probe.close(() => resolve(undefined)));
  });
}

function portMessage(error: NodeJS.ErrnoException, port: number, host: string): string {
  if (error.code === 'EADDRINUSE') {
    return `port ${port} is already in use on ${host}: stop the other program or choose another port with --port (e.g. npm start -- --port ${port + 1})`;
  }
  return `cannot listen on ${host}:${port}: ${error.message}`;
}

/**
 * The lab's own code, imported while the database process boots: loading modules is a good
 * part of a start's CPU, and the database's child process runs on another core meanwhile.
 */
async function loadLabCode() {
  const [{ LAB_DB_NAME, seedUsersAt }, { buildApp }, classroomModule, { createSubjectSupervisor }] = await Promise.all([
    import('./db/seed'),
    import('./lab/app'),
    import('./lab/classroom/session'),
    import('./subject/supervisor'),
  ]);
  return { LAB_DB_NAME, seedUsersAt, buildApp, createSubjectSupervisor, ...classroomModule };
}

async function main(): Promise<void> {
  const flags = parseFlags();
  const log = (line: string) => console.log(line);
  const clash = await portFree(flags.port, flags.host);
  if (clash) fail(portMessage(clash, flags.port, flags.host));

  // The Tornado runtime's interpreter: --python wins over LAB_PYTHON (python.ts reads it from there).
  if (flags.python) process.env.LAB_PYTHON = flags.python;
  const tornado = tornadoRuntime(); // probed while the database starts
  // The database, the lab's code and the UI check do not depend on each other: all at once.
  const clock = createStartupClock();
  const [database, labCode, ui] = await Promise.all([
    clock.time('database', startDatabase({ mongodbUri: flags['mongodb-uri'], offline: flags.offline, log })),
    clock.time('lab code', loadLabCode()),
    flags.dev ? ({} as { dir?: string; problem?: string }) : clock.time('UI', ensureUiBuilt(ROOT, log)),
  ]);
  const { LAB_DB_NAME, seedUsersAt, buildApp, createSubjectSupervisor, announceClassroom, createClassroom } = labCode;
  let onDatabaseChange: (up: boolean, message: string, state: DatabaseState) => void = () => {};
  const keeper = keepDatabase(database, {
    seed: async (uri) => void (await seedUsersAt(uri)),
    log,
    onChange: (up, message, state) => onDatabaseChange(up, message, state),
  });
  const stops: Array<() => Promise<void>> = [() => keeper.stop()];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // Before anything stops: the database or the subject going down with the lab is not a crash to repair.
    markShuttingDown();
    keeper.standDown();
    // A step that hangs must not keep the port: exit anyway (children.ts kills the children on exit).
    setTimeout(() => {
      console.error(`the lab did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting anyway`);
      process.exit(code || 1);
    }, STOP_DEADLINE_MS).unref();
    for (const step of stops.reverse())
      await step().catch((error) => console.error(`while stopping: ${String(error)}`));
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      keeper.standDown();
      // npm and the terminal may both deliver the same Ctrl-C: say it once.
      if (!stopping) log(`\n${signal}: stopping the lab ...`);
      void stop(0);
    });
  }
  watchParent(() => {
    if (!stopping) log('the process that started the lab is gone: stopping the lab ...');
    void stop(0);
  });

  try {
    const classroom = flags.classroom
      ? createClassroom(flags.joinsPerMinute === undefined ? {} : { limits: { joinsPerMinute: flags.joinsPerMinute } })
      : undefined;
    // Seeding and the subject's processes (proxy, then subject) both need only the database.
    const [seeded, built] = await Promise.allSettled([
      // The embedded server seeds itself as it starts (its own figure goes in the line); any other through the driver.
      database.seeded
        ? database.seeded.then((seed) => (clock.record('seed', seed.ms), seed))
        : clock.time('seed', seedUsersAt(database.uri)),
      clock.time(
        'proxy + subject',
        buildApp({
          dataDir: path.resolve(flags['data-dir']),
          database: { uri: database.uri, dbName: LAB_DB_NAME, info: database.info },
          createSupervisor: createSubjectSupervisor,
          uiDir: ui.dir,
          uiProblem: ui.problem,
          log,
          classroom,
          allowEdit: flags['allow-edit'],
          allowOrigins: flags['allow-origin'],
          allowHosts: flags.allowHosts,
        }),
      ),
    ]);
    if (built.status === 'fulfilled') stops.push(() => built.value.app.close());
    if (seeded.status === 'rejected') throw seeded.reason;
    if (built.status === 'rejected') throw built.reason;
    log(seeded.value.created ? `seeded ${seeded.value.count} users` : `using ${seeded.value.count} existing users`);
    const { app, lab } = built.value;
    onDatabaseChange = lab.onDatabaseChange;
    try {
      await app.listen({ port: flags.port, host: flags.host });
    } catch (error) {
      console.error(portMessage(error as NodeJS.ErrnoException, flags.port, flags.host));
      return stop(1);
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : flags.port;
    // Never http://0.0.0.0:PORT: loopback for this machine, the LAN address for other devices.
    const { local: url, lan } = openableUrls(flags.host, port);
    log(`database: ${describeDatabase(database.info)}`);
    log(describeTornado(await tornado));
    log(
      `mode: ${lab.currentConfig().mode}, dbLatencyMs ${lab.currentConfig().dbLatencyMs} (change it with PUT ${url}/api/config)`,
    );
    if (flags.dev) {
      const { createServer } = await import('vite');
      // vite.config.ts proxies /api and /subject to this lab (and says how it passes the lab's guard).
      process.env.LAB_URL = `http://127.0.0.1:${port}`;
      const vite = await createServer({
        root: ROOT,
        configFile: path.join(ROOT, 'vite.config.ts'),
        server: { host: flags.host },
      });
      await vite.listen();
      stops.push(() => vite.close());
      log(`API on ${url}`);
      log(`Event Loop Lab (dev) on ${vite.resolvedUrls?.local[0] ?? 'the Vite dev server'}`);
    } else {
      log(`Event Loop Lab on ${url}`);
    }
    if (lan) log(`other devices on your network: ${lan}`);
    log(clock.summary());
    if (classroom) await announceClassroom(classroom.listening(flags.host, port), log);
  } catch (error) {
    console.error(`the lab could not start: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
  }
}

main().catch((error: unknown) => {
  // e.g. a --mongodb-uri that does not answer: startDatabase's message names it.
  fail(`the lab could not start: ${error instanceof Error ? error.message : String(error)}`);
});
