/**
 * Real faults for tests: a folder the lab cannot write to. As root (where permissions do
 * not stop a write) the folder is made immutable with `chattr +i`; otherwise it loses its
 * write permission. Either way the kernel refuses the write, as on a full or read-only disk.
 */
import { execFileSync } from 'node:child_process';
import { chmod } from 'node:fs/promises';

export interface Fault {
  /** How the fault was made, for the test's own messages. */
  how: string;
  undo(): Promise<void>;
}

export async function makeUnwritable(dir: string): Promise<Fault> {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', dir]);
    return { how: 'chattr +i', undo: async () => void execFileSync('chattr', ['-i', dir]) };
  }
  await chmod(dir, 0o555);
  return { how: 'chmod 555', undo: () => chmod(dir, 0o755) };
}
