/**
 * Where phones should go: the join URL uses the machine's LAN address (phones cannot
 * reach 127.0.0.1), the presenter link carries the presenter token, and both can be
 * shown as a QR code (terminal text or SVG for the projector).
 */
import os from 'node:os';
import QRCode from 'qrcode';

type Interfaces = ReturnType<typeof os.networkInterfaces>;

const PRIVATE_V4 = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/;

/**
 * The address a phone on the same network can reach: a private IPv4 address first (the
 * usual classroom Wi-Fi), then any other external IPv4, then the hostname.
 */
export function lanAddress(interfaces: Interfaces = os.networkInterfaces(), hostname: string = os.hostname()): string {
  const candidates: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      if (!info.internal && info.family === 'IPv4') candidates.push(info.address);
    }
  }
  return candidates.find((a) => PRIVATE_V4.test(a)) ?? candidates[0] ?? hostname;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** The host to put in links: the LAN address when listening on every interface, else the host itself. */
export function publicHost(listenHost: string, interfaces?: Interfaces, hostname?: string): string {
  const host = WILDCARD_HOSTS.has(listenHost) ? lanAddress(interfaces, hostname) : listenHost;
  return host.includes(':') ? `[${host}]` : host;
}

/** An address for this machine's own browser: loopback when listening on every interface. */
export function loopbackHost(listenHost: string): string {
  const host = WILDCARD_HOSTS.has(listenHost) ? '127.0.0.1' : listenHost;
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The URLs a person can open, never http://0.0.0.0:PORT: `local` for this machine's browser,
 * and `lan` for other devices when the lab listens on every interface.
 */
export function openableUrls(
  listenHost: string,
  port: number,
  interfaces?: Interfaces,
  hostname?: string,
): { local: string; lan?: string } {
  const local = `http://${loopbackHost(listenHost)}:${port}`;
  return WILDCARD_HOSTS.has(listenHost)
    ? { local, lan: `http://${publicHost(listenHost, interfaces, hostname)}:${port}` }
    : { local };
}

export interface ClassroomLinks {
  origin: string;
  join: string;
  presenter: string;
}

/** `presenterHost`: the presenter's own browser usually runs on this machine (loopback). */
export function classroomLinks(
  host: string,
  port: number,
  presenterToken: string,
  presenterHost = host,
): ClassroomLinks {
  const origin = `http://${host}:${port}`;
  const presenter = `http://${presenterHost}:${port}/classroom/presenter?token=${encodeURIComponent(presenterToken)}`;
  return { origin, join: `${origin}/join`, presenter };
}

/** A QR code drawn with block characters, for the terminal. */
export function terminalQr(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}

/** A QR code as an SVG document, for the presenter's screen. */
export function svgQr(text: string): Promise<string> {
  return QRCode.toString(text, {
    type: 'svg',
    margin: 2,
    errorCorrectionLevel: 'M',
    color: { dark: '#000000', light: '#ffffff' },
  });
}
