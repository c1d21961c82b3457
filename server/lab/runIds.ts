/** Run ids: short, sortable by creation time, and safe as file names (no path traversal). */
import { randomBytes } from 'node:crypto';

const RUN_ID = /^[a-z0-9]{6,16}-[a-f0-9]{6}$/;

export function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}
