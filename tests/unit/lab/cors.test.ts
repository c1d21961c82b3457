import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { allowOrigins } from '../../../server/lab/cors';
import { parseLabUrl } from '../../../src/api/labOrigin';

async function app(origins: string[]) {
  const server = Fastify();
  allowOrigins(server, origins);
  server.put('/api/config', async () => ({ ok: true }));
  await server.ready();
  return server;
}

describe('a static copy of the site calling the lab (--allow-origin)', () => {
  it('answers the named origin, preflight included', async () => {
    const server = await app(['https://lessons.example/']);
    const preflight = await server.inject({
      method: 'OPTIONS',
      url: '/api/config',
      headers: { origin: 'https://lessons.example', 'access-control-request-method': 'PUT' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://lessons.example');
    expect(preflight.headers['access-control-allow-methods']).toContain('PUT');
    const put = await server.inject({
      method: 'PUT',
      url: '/api/config',
      headers: { origin: 'https://lessons.example' },
      payload: {},
    });
    expect(put.headers['access-control-allow-origin']).toBe('https://lessons.example');
  });

  it('gives any other origin no CORS header, so its page cannot read or change the lab', async () => {
    const server = await app(['https://lessons.example']);
    const put = await server.inject({
      method: 'PUT',
      url: '/api/config',
      headers: { origin: 'https://evil.example' },
      payload: {},
    });
    expect(put.headers['access-control-allow-origin']).toBeUndefined();
    const none = await app([]);
    const plain = await none.inject({
      method: 'PUT',
      url: '/api/config',
      headers: { origin: 'https://lessons.example' },
      payload: {},
    });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the "Connect to a lab at…" address', () => {
  it('keeps the origin of what was typed', () => {
    expect(parseLabUrl(' http://127.0.0.1:3000/lessons ')).toEqual({ origin: 'http://127.0.0.1:3000' });
    expect(parseLabUrl('192.168.1.23:3300')).toEqual({ origin: 'http://192.168.1.23:3300' });
  });

  it('refuses what is not an http(s) address, saying why', () => {
    expect(parseLabUrl('')).toHaveProperty('error');
    expect(parseLabUrl('ftp://example')).toEqual({ error: 'The address must start with http:// or https://.' });
    expect(parseLabUrl('http://')).toHaveProperty('error');
  });
});
