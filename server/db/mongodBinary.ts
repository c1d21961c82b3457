/**
 * Finding (or quickly downloading) the mongod binary that mongodb-memory-server runs.
 *
 * The library would happily wait minutes: it retries downloads with back-off and only
 * gives up on a socket after 60 s of silence. Start-up must decide fast instead, so this
 * module asks the library where the binary lives and which URL it would fetch, probes
 * that URL with a short HEAD request, and only then downloads, with retries and the
 * stall timeout bounded. Anything that cannot work becomes a reason to fall back.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
// The library's parts, not its index: the index loads the whole server and a second copy of
// the driver (most of a second of start-up) just to find a file. The downloader loads on demand.
import { DryMongoBinary } from 'mongodb-memory-server-core/lib/util/DryMongoBinary.js';
import type { MongoBinaryDownload } from 'mongodb-memory-server-core/lib/util/MongoBinaryDownload.js';
import { MongoBinaryDownloadUrl } from 'mongodb-memory-server-core/lib/util/MongoBinaryDownloadUrl.js';
import { envToBool, resolveConfig, ResolveConfigVariables } from 'mongodb-memory-server-core/lib/util/resolveConfig.js';

/** How long start-up may spend finding out whether a download is possible at all. */
export const PROBE_TIMEOUT_MS = 3_000;
/** A download that sends nothing for this long is dead (the library's own default is 60 s). */
const STALL_TIMEOUT_MS = 15_000;
/** Attempts per file (the library's default is 3 with exponential back-off from 2 s). */
const DOWNLOAD_ATTEMPTS = 2;
const RETRY_BASE_DELAY_MS = 500;

export type MongodBinary =
  { found: true; path: string; version: string; how: string } | { found: false; reason: string };

type Log = (line: string) => void;

type ProbeResult = { ok: true; bytes: number } | { ok: false; why: string };

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer';
  return cause?.code ?? cause?.message ?? error.message;
}

/** HEAD the archive URL: does the server answer, and how big is the download? */
export async function probeDownload(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const host = new URL(url).host;
  try {
    const res = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    if (res.status === 403 || res.status === 404)
      return { ok: false, why: `${host} has no mongod build for this platform (HTTP ${res.status})` };
    if (!res.ok) return { ok: false, why: `${host} answered HTTP ${res.status}` };
    // The library downloads with `https` unless MONGOMS_USE_HTTP is set, so an http mirror
    // would pass this probe and then fail inside the library.
    if (new URL(res.url || url).protocol === 'http:' && !envToBool(resolveConfig(ResolveConfigVariables.USE_HTTP))) {
      return { ok: false, why: `${host} is an http:// mirror; set MONGOMS_USE_HTTP=true to download from it` };
    }
    return { ok: true, bytes: Number(res.headers.get('content-length') ?? 0) };
  } catch (error) {
    const why = errorText(error);
    return { ok: false, why: `${host}: ${why === 'no answer' ? `no answer within ${timeoutMs / 1000} s` : why}` };
  }
}

/** The library's downloader with retries and the stall timeout bounded, and no broken archive left behind. */
async function boundedDownload(
  opts: ConstructorParameters<typeof MongoBinaryDownload>[0],
): Promise<MongoBinaryDownload> {
  const { MongoBinaryDownload: Download } = await import('mongodb-memory-server-core/lib/util/MongoBinaryDownload.js');
  class BoundedDownload extends Download {
    override async httpDownload(
      url: URL,
      httpOptions: Parameters<MongoBinaryDownload['httpDownload']>[1],
      downloadLocation: string,
      tempDownloadLocation: string,
    ): Promise<string> {
      // MONGOMS_MAX_RETRIES, if the user set it, still wins (undefined makes the library read it).
      const attempts = process.env.MONGOMS_MAX_RETRIES ? undefined : DOWNLOAD_ATTEMPTS;
      return super.httpDownload(
        url,
        httpOptions,
        downloadLocation,
        tempDownloadLocation,
        attempts,
        RETRY_BASE_DELAY_MS,
        STALL_TIMEOUT_MS,
      );
    }

    override async extract(archive: string): Promise<string> {
      try {
        return await super.extract(archive);
      } catch (error) {
        // A complete-looking but broken archive would be reused (and fail) on every start.
        await rm(archive, { force: true });
        await rm(await this.getPath(), { force: true });
        throw error;
      }
    }
  }
  return new BoundedDownload(opts);
}

function liveLockHolder(lockFile: string): number | undefined {
  if (!existsSync(lockFile)) return undefined;
  const pid = Number.parseInt(readFileSync(lockFile, 'utf8').split(' ')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * A binary left by an extraction that was killed half-way has no `.md5` sidecar (the
 * library writes it last). The library's own check skips binaries next to a lock file,
 * so after a crash mid-extraction it would run the truncated file: remove it first.
 */
function removeHalfExtracted(binaryPath: string): void {
  if (existsSync(binaryPath) && !existsSync(`${binaryPath}.md5`)) rmSync(binaryPath, { force: true });
}

/** "104.3 MB", "912 KB": the size line printed before a download. */
export function formatBytes(bytes: number): string {
  if (bytes <= 0) return 'unknown size';
  if (bytes < 1_048_576) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

async function download(
  opts: Awaited<ReturnType<typeof DryMongoBinary.generateOptions>>,
  url: string,
  bytes: number,
  log: Log,
): Promise<string> {
  const binaryPath = DryMongoBinary.combineBinaryName(opts.downloadDir, await DryMongoBinary.getBinaryName(opts));
  log(`Downloading MongoDB ${opts.version} (${formatBytes(bytes)}) from ${url}`);
  log(`  caching it in ${opts.downloadDir} (Ctrl-C is safe: the next start resumes or starts over)`);
  await mkdir(opts.downloadDir, { recursive: true });
  // Same lock file as the library, so two labs (or a test run) never extract over each other.
  const { LockFile } = await import('mongodb-memory-server-core/lib/util/lockfile.js');
  const lock = await LockFile.lock(path.resolve(opts.downloadDir, `${opts.version}.lock`));
  try {
    removeHalfExtracted(binaryPath);
    // The library prints the progress itself: percent and MB, one line redrawn on a TTY.
    const mongodPath = await (await boundedDownload(opts)).getMongodPath();
    DryMongoBinary.binaryCache.set(opts.version, mongodPath);
    return mongodPath;
  } finally {
    await lock.unlock();
  }
}

/** Finds a usable mongod, downloading it when that is quick to decide; otherwise says why not. */
/**
 * `whileProbing` is called when there is no binary on disk and the download is about to be
 * probed: the caller can start its fallback meanwhile (the probe may wait out its timeout).
 */
export async function resolveMongodBinary(log: Log, whileProbing?: () => void): Promise<MongodBinary> {
  let opts: Awaited<ReturnType<typeof DryMongoBinary.generateOptions>>;
  try {
    opts = await DryMongoBinary.generateOptions({});
  } catch (error) {
    return { found: false, reason: `mongodb-memory-server is misconfigured: ${errorText(error)}` };
  }
  const { version, systemBinary } = opts;
  if (systemBinary) {
    const found = await DryMongoBinary.locateBinary(opts).catch(() => undefined);
    return found
      ? { found: true, path: found, version, how: `MONGOMS_SYSTEM_BINARY ${found}` }
      : { found: false, reason: `MONGOMS_SYSTEM_BINARY ${systemBinary} is missing or not executable` };
  }
  const cached = await DryMongoBinary.locateBinary(opts).catch(() => undefined);
  if (cached) return { found: true, path: cached, version, how: `cached binary ${cached}` };

  if (!envToBool(resolveConfig(ResolveConfigVariables.RUNTIME_DOWNLOAD))) {
    return { found: false, reason: 'offline: no mongod binary and MONGOMS_RUNTIME_DOWNLOAD is off' };
  }
  let url: string;
  try {
    url = await new MongoBinaryDownloadUrl(opts).getDownloadUrl();
  } catch (error) {
    return { found: false, reason: `no mongod download for this platform: ${errorText(error)}` };
  }
  whileProbing?.();
  const probe = await probeDownload(url);
  if (!probe.ok) return { found: false, reason: `offline: no mongod binary and no download (${probe.why})` };

  const holder = liveLockHolder(path.resolve(opts.downloadDir, `${version}.lock`));
  if (holder !== undefined) {
    return {
      found: false,
      reason: `another process (pid ${holder}) is downloading mongod ${version}; try again when it is done`,
    };
  }
  try {
    const downloaded = await download(opts, url, probe.bytes, log);
    return { found: true, path: downloaded, version, how: `downloaded to ${downloaded}` };
  } catch (error) {
    return { found: false, reason: `the mongod download failed (${errorText(error)})` };
  }
}
