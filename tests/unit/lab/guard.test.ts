import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandling } from '../../../server/lab/errors';
import { guardRequests, parseAllowHosts, parseHost } from '../../../server/lab/guard';

async function app(allowHosts: string[] = []) {
  const server = Fastify();
  installErrorHandling(server);
  guardRequests(server, { allowHosts });
  server.put('/api/config', async () => ({ ok: true }));
  await server.ready();
  return server;
}

describe('Host names', () => {
  it('reads names, bracketed IPv6 addresses and ports, and refuses what is not a host', () => {
    expect(parseHost('LocalHost:3000')).toEqual({ name: 'localhost', port: 3000 });
    expect(parseHost('[::1]:3000')).toEqual({ name: '::1', port: 3000 });
    expect(parseHost('lab.example.')).toEqual({ name: 'lab.example', port: 80 });
    expect(parseHost('lab.example', 443)).toEqual({ name: 'lab.example', port: 443 });
    for (const bad of ['', ':3000', 'a:b', '::1', 'x:99999', 'user@evil.example', 'a b'])
      expect(parseHost(bad), bad).toBeUndefined();
  });

  it('takes --allow-host repeated or comma separated, and names a bad value', () => {
    expect(parseAllowHosts(['a.example, b.example:8080', 'c.example'])).toEqual([
      'a.example',
      'b.example:8080',
      'c.example',
    ]);
    expect(() => parseAllowHosts(['ok.example,http://x.example'])).toThrow(/--allow-host .*not "http:\/\/x\.example"/);
  });

  it('answers [::1] and --allow-host names, and 421 to others', async () => {
    const server = await app(['lab.example']);
    const put = (host: string) =>
      server.inject({
        method: 'PUT',
        url: '/api/config',
        headers: { host, 'content-type': 'application/json' },
        payload: '{}',
      });
    expect((await put('[::1]:3000')).statusCode).toBe(200);
    expect((await put('lab.example')).statusCode).toBe(200);
    const refused = await put('rebound.example:3000');
    expect(refused.statusCode).toBe(421);
    expect(refused.json()).toEqual({
      error: expect.stringMatching(/^this lab does not answer to the host "rebound\.example:3000"/),
    });
  });
});
