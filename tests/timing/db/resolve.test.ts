/**
 * How soon choosing the database gives up: on a download server that refuses (at once) or
 * never answers (after the 3 s probe, and only one), and on a URI that does not answer
 * (after its 5 s ping, not one per retry). The fixed costs are compared with the embedded
 * server's own start-up measured in the same test where it runs beside them. What each
 * case says, and that it never leaves an orphan, is in tests/integration/db/resolve.test.ts.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startDatabase } from '../../../server/db/resolve';
import { liveChildren } from '../../../server/process/children';
import { closedPort, isolatedResolveTests, ping } from '../../integration/db/helpers';

const { started } = isolatedResolveTests();

/** How long the embedded fallback itself takes to start here, now (the baseline for timing checks). */
async function embeddedStartMs(): Promise<number> {
  const { value: db, ms } = await timed(() => startDatabase({ offline: true }));
  await db.stop();
  return ms;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, ms: performance.now() - t0 };
}

describe('a URI that does not answer', () => {
  it('is given up after its 5 s ping, not one per retry', async () => {
    const port = await closedPort();
    process.env.MONGODB_URI = `mongodb://127.0.0.1:${port}/eventlooplab`;
    const { value: error, ms } = await timed(() =>
      startDatabase({}).then(
        () => undefined,
        (e: unknown) => e as Error,
      ),
    );
    expect(error?.message).toContain('did not answer ping within 5 s');
    expect(ms).toBeLessThan(2 * 5_000);
  });
});

describe('the download probe, offline', () => {
  it('falls back fast when the download server refuses connections', async () => {
    const baseline = await embeddedStartMs();
    const port = await closedPort();
    process.env.MONGOMS_DOWNLOAD_MIRROR = `http://127.0.0.1:${port}`;
    const { value: db, ms } = await timed(() => startDatabase({}));
    started.push(db);
    expect(db.info.kind).toBe('embedded');
    expect(db.info.reason).toBe(`offline: no mongod binary and no download (127.0.0.1:${port}: ECONNREFUSED)`);
    // A refusal is taken at once: it never waits out the 3 s probe.
    expect(ms - baseline).toBeLessThan(3_000);
    expect(await ping(db.uri)).toBe(1);
  });

  it('gives up after about 3 s on a download server that never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket)); // accepts, never replies
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const baseline = await embeddedStartMs();
      process.env.MONGOMS_DOWNLOAD_MIRROR = `http://127.0.0.1:${port}`;
      // The embedded server starts while the probe waits, not after it gave up: its process
      // exists by the time the probe's connection arrives.
      const childrenWhenProbed: number[] = [];
      silent.on('connection', () => childrenWhenProbed.push(liveChildren()));
      const childrenBefore = liveChildren();
      const { value: db, ms } = await timed(() => startDatabase({}));
      expect(childrenWhenProbed.length).toBeGreaterThan(0);
      expect(childrenWhenProbed[0]).toBe(childrenBefore + 1);
      started.push(db);
      expect(db.info.kind).toBe('embedded');
      expect(db.info.reason).toBe(
        `offline: no mongod binary and no download (127.0.0.1:${port}: no answer within 3 s)`,
      );
      expect(await db.seeded).toMatchObject({ count: 10_000 });
      // It waited for the probe, and only for the probe: not a second one, not a hang.
      expect(ms).toBeGreaterThan(2_900);
      expect(ms - baseline).toBeLessThan(2 * 3_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
