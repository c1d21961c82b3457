import { describe, expect, it } from 'vitest';
import { describeDriver } from '../../../server/lab/driver';

const tornado = {
  available: true,
  python: '/usr/bin/python3',
  tornado: '6.2',
  pymongo: '3.11.0',
  motor: '2.3.0',
  asyncDriver: 'Motor 2.3.0 (pymongo on a thread pool)',
} as const;

describe("a run's driver, in words", () => {
  it('names the Node driver and how the handlers reach it', () => {
    expect(describeDriver({ runtime: 'node', mode: 'nonblocking', executorThreads: 0 }, undefined)).toMatch(
      /^mongodb \d+\.\d+\.\d+ \(Node\), awaited$/,
    );
    expect(describeDriver({ runtime: 'node', mode: 'blocking', executorThreads: 0 }, undefined)).toMatch(
      /\(Node\) behind a blocking facade$/,
    );
    expect(describeDriver({ runtime: 'node', mode: 'blocking', executorThreads: 4 }, undefined)).toMatch(
      /behind a blocking facade on 4 executor threads$/,
    );
  });

  it('names the Tornado drivers that were found', () => {
    expect(describeDriver({ runtime: 'tornado', mode: 'nonblocking', executorThreads: 0 }, tornado)).toBe(
      'Motor 2.3.0 (pymongo on a thread pool)',
    );
    expect(describeDriver({ runtime: 'tornado', mode: 'blocking', executorThreads: 2 }, tornado)).toBe(
      'pymongo 3.11.0, blocking on 2 executor threads',
    );
    expect(describeDriver({ runtime: 'tornado', mode: 'blocking', executorThreads: 0 }, undefined)).toBe(
      'the Tornado subject (driver unknown)',
    );
  });
});
