/**
 * `engines` says which Node the lab runs on; every installed package must agree, or
 * `npm install` warns EBADENGINE on exactly the Node versions we promise to support.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const ours = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };

function installed(dir: string, found: Array<{ name: string; engines: string }> = []): typeof found {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    const at = path.join(dir, entry);
    if (entry.startsWith('@')) {
      installed(at, found);
      continue;
    }
    const manifest = path.join(at, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      name: string;
      version: string;
      engines?: { node?: string };
    };
    if (pkg.engines?.node) found.push({ name: `${pkg.name}@${pkg.version}`, engines: pkg.engines.node });
    installed(path.join(at, 'node_modules'), found);
  }
  return found;
}

describe('engines', () => {
  it('every installed package runs on the oldest Node the lab promises', () => {
    const oldest = semver.minVersion(ours.engines.node)!.version;
    const refusing = installed(path.join(root, 'node_modules')).filter((pkg) => !semver.satisfies(oldest, pkg.engines));
    expect(refusing.map((pkg) => `${pkg.name} wants node ${pkg.engines}`)).toEqual([]);
  });
});
