/**
 * The start-up line and URI redaction. The real download probe (which must decide within
 * about 3 s whether fastdl.mongodb.org can be reached) is in tests/timing/db/probe.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../server/db/mongodBinary';
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
