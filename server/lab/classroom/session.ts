/**
 * One classroom: the presenter's token, the students, the gate their requests pass and
 * the links to print. `npm start -- --classroom` makes one and hands it to buildApp; the
 * links are set once the lab listens (the port may be 0 until then).
 */
import { ConcurrencyGate } from './gate';
import { classroomLinks, loopbackHost, publicHost, terminalQr, type ClassroomLinks } from './joinUrl';
import { createPresenterToken } from './presenterToken';
import { DEFAULT_LIMITS, StudentRegistry, type ClassroomLimits } from './registry';

/**
 * Students' requests forwarded at once / waiting. 64 matches the forwarder's sockets to the
 * subject, so the gate, not the agent, decides who waits; 500 waiting is one "Send 10" from
 * fifty phones at the same moment.
 */
export const STUDENT_GATE = { max: 64, maxQueue: 500 };

export interface ClassroomOptions {
  presenterToken?: string;
  limits?: Partial<ClassroomLimits>;
  gate?: { max: number; maxQueue: number };
}

export interface ClassroomSession {
  readonly presenterToken: string;
  readonly registry: StudentRegistry;
  readonly gate: ConcurrencyGate;
  links(): ClassroomLinks | undefined;
  /** Sets the links from where the lab listens, e.g. ('0.0.0.0', 3000). */
  listening(listenHost: string, port: number): ClassroomLinks;
}

export function createClassroom(options: ClassroomOptions = {}): ClassroomSession {
  const registry = new StudentRegistry({ ...DEFAULT_LIMITS, ...options.limits });
  const gateLimits = options.gate ?? STUDENT_GATE;
  const presenterToken = options.presenterToken ?? createPresenterToken();
  let links: ClassroomLinks | undefined;
  return {
    presenterToken,
    registry,
    gate: new ConcurrencyGate(gateLimits.max, gateLimits.maxQueue),
    links: () => links,
    listening(listenHost, port) {
      // Students' phones need the LAN address; the presenter's browser is on this machine.
      links = classroomLinks(publicHost(listenHost), port, presenterToken, loopbackHost(listenHost));
      return links;
    },
  };
}

/** The terminal lines `npm start -- --classroom` prints: the join URL, its QR code, the presenter link. */
export async function announceClassroom(links: ClassroomLinks, log: (line: string) => void): Promise<void> {
  log('');
  log(`classroom mode: students join at ${links.join}`);
  log(await terminalQr(links.join));
  log(`presenter, in this machine's browser (keep this link to yourself: it carries the presenter token):`);
  log(`  ${links.presenter}`);
  log('');
}
