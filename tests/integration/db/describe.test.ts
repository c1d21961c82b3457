/**
 * The start-up line and URI redaction, plus the real download probe (which must decide
 * within about 3 s whether fastdl.mongodb.org can be reached, online or not).
 */
import { DryMongoBinary } from 'mongodb-memory-server';
import { MongoBinaryDownloadUrl } from 'mongodb-memory-server-core/lib/util/MongoBinaryDownloadUrl.js';
import { describe, expect, it } from 'vitest';
import { formatBytes, PROBE_TIMEOUT_MS, probeDownload } from '../../../server/db/mongodBinary';
import { describeDatabase, redactUri } from '../../../server/db/resolve';

describe('describeDatabase', () => {
  it('names the kind, the version and the reason in one line', () => {
    expect(describeDatabase({ kind: 'memory-server', version: '8.2.6', reason: 'cached binary /c/mongod' })).toBe(
      'MongoDB 8.2.6 (mongodb-memory-server, cached binary /c/mongod)',
    );
    expect(
      describeDatabase({ kind: 'embedded', version: '8.0.0', reason: 'offline: no mongod binary and no download' }),
    ).toBe('embedded MongoDB-compatible server 8.0.0 (offline: no mongod binary and no download)');
    expect(describeDatabase({ kind: 'external', version: '7.0.5', reason: 'MONGODB_URI mongodb://***@db:27017' })).toBe(
      'MongoDB 7.0.5 (external, MONGODB_URI mongodb://***@db:27017)',
    );
  });
});

describe('formatBytes', () => {
  it('prints a download size a person can read', () => {
    expect(formatBytes(0)).toBe('unknown size');
    expect(formatBytes(10_000)).toBe('10 KB');
    expect(formatBytes(107_374_182)).toBe('102.4 MB');
  });
});

describe('redactUri', () => {
  it('hides user and password, whatever the scheme', () => {
    expect(redactUri('mongodb://user:pa%40ss@host:27017/db?authSource=admin')).toBe(
      'mongodb://***@host:27017/db?authSource=admin',
    );
    expect(redactUri('mongodb+srv://user:pw@cluster0.example.net/db')).toBe(
      'mongodb+srv://***@cluster0.example.net/db',
    );
    expect(redactUri('mongodb://onlyuser@h1,h2/db')).toBe('mongodb://***@h1,h2/db');
  });

  it('leaves a URI without credentials alone, even with an @ in the query', () => {
    expect(redactUri('mongodb://127.0.0.1:27017/db')).toBe('mongodb://127.0.0.1:27017/db');
    expect(redactUri('mongodb://h/db?appName=a@b')).toBe('mongodb://h/db?appName=a@b');
  });
});

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
