/**
 * Stops the lab when the process that started it disappears (npm killed with SIGKILL, a
 * crashed process manager): the lab is then re-parented, and nobody would ever stop it.
 * Polling is the portable way; Linux's PR_SET_PDEATHSIG is not reachable from Node.
 */
import { readFileSync } from 'node:fs';

const POLL_MS = 250;
const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash']);

/** `ppid` of a process from /proc (Linux), or undefined elsewhere or once it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function commandName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Calls `onGone` once when the parent exits, or, under `npm start` (npm runs the script
 * through `sh -c`, and a shell outlives a SIGKILLed npm), when npm above that shell exits.
 */
export function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  // Started by PID 1 (a container's init, systemd): there is no parent to lose.
  if (parent <= 1) return;
  const underNpmShell = process.env.npm_lifecycle_event !== undefined && SHELLS.has(commandName(parent));
  const grandparent = underNpmShell ? parentOf(parent) : undefined;
  const timer = setInterval(() => {
    const parentGone = process.ppid !== parent;
    const npmGone = grandparent !== undefined && grandparent > 1 && parentOf(parent) !== grandparent;
    if (!parentGone && !npmGone) return;
    clearInterval(timer);
    onGone();
  }, POLL_MS);
  timer.unref();
}
