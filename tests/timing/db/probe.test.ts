/**
 * The real download probe decides within about 3 s whether fastdl.mongodb.org can be
 * reached, online or not: by its own timeout, not the system's (minutes for a silent host).
 */
import { DryMongoBinary } from 'mongodb-memory-server';
import { MongoBinaryDownloadUrl } from 'mongodb-memory-server-core/lib/util/MongoBinaryDownloadUrl.js';
import { describe, expect, it } from 'vitest';
import { PROBE_TIMEOUT_MS, probeDownload } from '../../../server/db/mongodBinary';

describe('the real download probe', () => {
  it('decides within about 3 s whether the mongod download is reachable', async () => {
    const url = await new MongoBinaryDownloadUrl(
      await DryMongoBinary.generateOptions({ version: '8.2.6' }),
    ).getDownloadUrl();
    const t0 = performance.now();
    const result = await probeDownload(url);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(2 * PROBE_TIMEOUT_MS); // its own timeout, not the system's (minutes for a silent host)
    // Offline (CI, this machine) the reason names the host; online the archive is real (~100 MB).
    if (result.ok) expect(result.bytes).toBeGreaterThan(10_000_000);
    else expect(result.why).toMatch(/^fastdl\.mongodb\.org: /);
  });
});
