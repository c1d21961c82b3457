import { describe, expect, it } from 'vitest';
import {
  classroomLinks,
  lanAddress,
  openableUrls,
  publicHost,
  svgQr,
  terminalQr,
} from '../../../server/lab/classroom/joinUrl';
import { createPresenterToken, tokenMatches } from '../../../server/lab/classroom/presenterToken';

const iface = (address: string, internal = false, family: 'IPv4' | 'IPv6' = 'IPv4') =>
  ({ address, internal, family, netmask: '', mac: '', cidr: null }) as never;

describe('the join URL', () => {
  it('prefers a private IPv4 address, skipping loopback and IPv6', () => {
    const interfaces = {
      lo: [iface('127.0.0.1', true)],
      eth0: [iface('fe80::1', false, 'IPv6'), iface('203.0.113.5')],
      wlan0: [iface('192.168.1.23')],
    };
    expect(lanAddress(interfaces, 'laptop')).toBe('192.168.1.23');
  });

  it('falls back to another external address, then to the hostname', () => {
    expect(lanAddress({ eth0: [iface('203.0.113.5')] }, 'laptop')).toBe('203.0.113.5');
    expect(lanAddress({ lo: [iface('127.0.0.1', true)] }, 'laptop.local')).toBe('laptop.local');
  });

  it('uses the LAN address only when listening on every interface', () => {
    const interfaces = { wlan0: [iface('10.0.0.7')] };
    expect(publicHost('0.0.0.0', interfaces, 'h')).toBe('10.0.0.7');
    expect(publicHost('127.0.0.1', interfaces, 'h')).toBe('127.0.0.1');
    expect(publicHost('::1', interfaces, 'h')).toBe('[::1]');
  });

  it('builds the join and presenter links', () => {
    expect(classroomLinks('10.0.0.7', 3000, 'a+b')).toEqual({
      origin: 'http://10.0.0.7:3000',
      join: 'http://10.0.0.7:3000/join',
      presenter: 'http://10.0.0.7:3000/classroom/presenter?token=a%2Bb',
    });
  });

  it('puts the presenter on loopback when given, the students on the LAN', () => {
    expect(classroomLinks('10.0.0.7', 3000, 'tok', '127.0.0.1')).toEqual({
      origin: 'http://10.0.0.7:3000',
      join: 'http://10.0.0.7:3000/join',
      presenter: 'http://127.0.0.1:3000/classroom/presenter?token=tok',
    });
  });

  it('never offers 0.0.0.0 as an address to open', () => {
    const interfaces = { lo: [iface('127.0.0.1', true)], wlan0: [iface('192.168.1.23')] };
    expect(openableUrls('0.0.0.0', 3300, interfaces, 'h')).toEqual({
      local: 'http://127.0.0.1:3300',
      lan: 'http://192.168.1.23:3300',
    });
    expect(openableUrls('::', 3300, interfaces, 'h')).toEqual({
      local: 'http://127.0.0.1:3300',
      lan: 'http://192.168.1.23:3300',
    });
    expect(openableUrls('127.0.0.1', 3000, interfaces, 'h')).toEqual({ local: 'http://127.0.0.1:3000' });
    expect(openableUrls('::1', 3000, interfaces, 'h')).toEqual({ local: 'http://[::1]:3000' });
  });

  it('draws the QR code for a terminal and as SVG', async () => {
    const text = await terminalQr('http://10.0.0.7:3000/join');
    expect(text.split('\n').length).toBeGreaterThan(10);
    expect(text).toMatch(/[█▀▄]/);
    expect(await svgQr('http://10.0.0.7:3000/join')).toMatch(/^<svg[^>]*viewBox/);
  });
});

describe('the presenter token', () => {
  it('is long, random and matched only exactly', () => {
    const token = createPresenterToken();
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(createPresenterToken()).not.toBe(token);
    expect(tokenMatches(token, token)).toBe(true);
    for (const wrong of [undefined, '', token.slice(1), `${token}x`, token.toUpperCase(), ['x'], 'y'.repeat(10_000)]) {
      expect(tokenMatches(token, wrong)).toBe(false);
    }
  });
});
