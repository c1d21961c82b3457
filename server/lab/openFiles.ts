/**
 * The open-file limit a long-poll run needs: every held long-poll is a socket in the lab
 * (the load generator's end) and one in the subject. Node cannot raise its own limit
 * (no setrlimit), so a run the limit cannot hold is refused with the command to run.
 */
import { readFileSync } from 'node:fs';

/** Descriptors a process needs besides the long-polls: database pool, IPC, files, the page. */
export const OPEN_FILE_HEADROOM = 512;

export interface OpenFileLimit {
  soft: number;
  hard: number;
}

/** This process's limit (its children inherit it), or undefined where /proc does not say (not Linux). */
export function openFileLimit(limitsText = readProcLimits()): OpenFileLimit | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limitsText ?? '');
  if (!match) return undefined;
  const value = (text: string) => (text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text));
  return { soft: value(match[1]!), hard: value(match[2]!) };
}

function readProcLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}

/** Why `connections` long-polls cannot be held under this limit, with what to run; undefined if they can. */
export function openFileProblem(connections: number, limit: OpenFileLimit | undefined): string | undefined {
  const needed = connections + OPEN_FILE_HEADROOM;
  if (!limit || limit.soft >= needed) return undefined;
  const suggested = Math.max(20_000, Math.ceil(needed / 1000) * 1000);
  const raise =
    limit.hard >= suggested
      ? `stop the lab, run \`ulimit -n ${suggested}\` in the same shell, then \`npm start\` again`
      : `the hard limit is ${limit.hard}, so raise it first (as root: /etc/security/limits.conf, or \`prlimit --nofile=${suggested}:${suggested} --pid <pid>\`), then run \`ulimit -n ${suggested}\` before \`npm start\``;
  return `the open-file limit is ${limit.soft} (ulimit -n), and ${connections} long-polls need about ${needed} open files in the lab and in the subject: ${raise}`;
}
