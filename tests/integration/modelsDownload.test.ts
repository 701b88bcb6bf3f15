/** ModelDownloads against a local HTTP server serving the generated tiny model. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DownloadView } from '../../common/nodeApi.js';
import { tinyModelBytes } from '../../demo/tinyModel.js';
import { ModelDownloads } from '../../main/engine/models/modelDownloader.js';
import { ModelFolder } from '../../main/engine/models/modelLibrary.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const source = tinyModelBytes();
const sourceSha = createHash('sha256').update(source).digest('hex');
const hits: { path: string; range: string | undefined }[] = [];
const routes = new Map<string, Handler>();
let server: Server;
let base: string;
let folder: string;
let downloads: ModelDownloads;

/** Serves `bytes`, honouring `Range: bytes=<n>-` unless told not to. */
function serve(bytes: Buffer, ranges = true): Handler {
  return (req, res) => {
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (!ranges || !match) {
      res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
      return;
    }
    const start = Number(match[1]);
    if (start >= bytes.length) {
      res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
      return;
    }
    res.writeHead(206, {
      'content-length': bytes.length - start,
      'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}`,
    });
    res.end(bytes.subarray(start));
  };
}

const redirect =
  (location: string): Handler =>
  (_req, res) =>
    res.writeHead(302, { location }).end();

/** The response of the next request to `path`, for the test to write by hand. */
function takeResponse(path: string): Promise<ServerResponse> {
  return new Promise((resolve) => routes.set(path, (_req, res) => resolve(res)));
}

/** The first change of download `id` that satisfies `test`. */
function until(id: string, test: (view: DownloadView) => boolean): Promise<DownloadView> {
  return new Promise((resolve) => {
    const listener = (view: DownloadView) => {
      if (view.id !== id || !test(view)) return;
      downloads.off('change', listener);
      resolve(view);
    };
    downloads.on('change', listener);
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.push({ path, range: req.headers.range });
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  folder = join(mkdtempSync(join(tmpdir(), 'byoi-dl-')), 'models');
  downloads = new ModelDownloads({ folder, progressIntervalMs: 0 });
  hits.length = 0;
  routes.clear();
  routes.set('/models/tiny.gguf', serve(source));
});

afterEach(async () => {
  await downloads.stop();
  rmSync(join(folder, '..'), { recursive: true, force: true });
});

const finished = (view: DownloadView) => downloads.settled(view.id);

describe('ModelDownloads', () => {
  it('streams with progress events, verifies the checksum and installs the file', async () => {
    const states: string[] = [];
    const progress: DownloadView[] = [];
    downloads.on('change', (view) => {
      if (states.at(-1) !== view.state) states.push(view.state);
      if (view.state === 'downloading' && view.receivedBytes > 0) progress.push(view);
    });
    const response = takeResponse('/stream/tiny.gguf');
    const started = downloads.start({
      url: `${base}/stream/tiny.gguf`,
      sha256: sourceSha.toUpperCase(),
    });
    expect(started).toMatchObject({ file: 'tiny.gguf', state: 'downloading', receivedBytes: 0 });
    const res = await response;
    res.writeHead(200, { 'content-length': source.length });
    const quarter = Math.ceil(source.length / 4);
    for (let end = quarter; end < source.length + quarter; end += quarter) {
      const seen = until(started.id, (view) => view.receivedBytes >= Math.min(end, source.length));
      res.write(source.subarray(end - quarter, end));
      await seen;
    }
    res.end();
    const done = await finished(started);
    expect(done).toMatchObject({ state: 'done', error: null, receivedBytes: source.length });
    expect(states).toEqual(['downloading', 'verifying', 'done']);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(progress.map((view) => view.receivedBytes)).toEqual(
      [...progress.map((view) => view.receivedBytes)].sort((a, b) => a - b),
    );
    expect(progress.every((view) => view.totalBytes === source.length)).toBe(true);
    expect(progress.at(-1)!.bytesPerSecond).toBeGreaterThan(0);
    expect(readFileSync(join(folder, 'tiny.gguf')).equals(source)).toBe(true);
    expect(existsSync(join(folder, 'tiny.gguf.part'))).toBe(false);
    expect(await new ModelFolder(folder).listInstalled()).toEqual([
      { id: 'tiny', file: 'tiny.gguf', sizeBytes: source.length },
    ]);
  });

  it('keeps the part on cancel and resumes it with a Range request', async () => {
    const response = takeResponse('/models/tiny.gguf');
    const first = downloads.start({ url: `${base}/models/tiny.gguf` });
    const res = await response;
    res.writeHead(200, { 'content-length': source.length });
    const half = Math.floor(source.length / 2);
    const seen = until(first.id, (view) => view.receivedBytes >= half);
    res.write(source.subarray(0, half));
    await seen;
    expect(downloads.cancel(first.id).state).toBe('cancelled');
    expect(await finished(first)).toMatchObject({ state: 'cancelled', error: null });
    const partSize = readFileSync(join(folder, 'tiny.gguf.part')).length;
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(source.length);

    routes.set('/models/tiny.gguf', serve(source));
    const resumed = downloads.start({ url: `${base}/models/tiny.gguf`, sha256: sourceSha });
    expect(await finished(resumed)).toMatchObject({ state: 'done', receivedBytes: source.length });
    expect(hits.at(-1)).toEqual({ path: '/models/tiny.gguf', range: `bytes=${partSize}-` });
    expect(readFileSync(join(folder, 'tiny.gguf')).equals(source)).toBe(true);
    expect(existsSync(join(folder, 'tiny.gguf.part'))).toBe(false);
    expect(downloads.list().map((view) => view.state)).toEqual(['cancelled', 'done']);
  });

  it('starts over when the server ignores the range', async () => {
    routes.set('/models/tiny.gguf', serve(source, false));
    writeFileSync(`${mkdirFolder()}/tiny.gguf.part`, Buffer.from('GGUF-stale-bytes'));
    const view = downloads.start({ url: `${base}/models/tiny.gguf`, sha256: sourceSha });
    expect(await finished(view)).toMatchObject({ state: 'done' });
    expect(hits[0]!.range).toBe('bytes=16-');
    expect(readFileSync(join(folder, 'tiny.gguf')).equals(source)).toBe(true);
  });

  it('verifies a part that already holds the whole file without downloading again', async () => {
    writeFileSync(`${mkdirFolder()}/tiny.gguf.part`, source);
    const view = downloads.start({ url: `${base}/models/tiny.gguf`, sha256: sourceSha });
    expect(await finished(view)).toMatchObject({ state: 'done', receivedBytes: source.length });
    expect(hits).toEqual([{ path: '/models/tiny.gguf', range: `bytes=${source.length}-` }]);
  });

  it('fails readably when the connection breaks, keeping the part for a resume', async () => {
    const response = takeResponse('/models/tiny.gguf');
    const view = downloads.start({ url: `${base}/models/tiny.gguf` });
    const res = await response;
    res.writeHead(200, { 'content-length': source.length });
    const seen = until(view.id, (current) => current.receivedBytes >= 1000);
    res.write(source.subarray(0, 1000));
    await seen;
    res.destroy();
    const failed = await finished(view);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/broke off at 1000 bytes.*start it again to resume/);
    const part = readFileSync(join(folder, 'tiny.gguf.part'));
    expect(part.length).toBeGreaterThan(0);
    expect(part.equals(source.subarray(0, part.length))).toBe(true);
  });

  it('gives up on a server that stops sending', async () => {
    const stalling = new ModelDownloads({ folder, idleTimeoutMs: 50 });
    const response = takeResponse('/models/tiny.gguf');
    const view = stalling.start({ url: `${base}/models/tiny.gguf` });
    (await response)
      .writeHead(200, { 'content-length': source.length })
      .write(source.subarray(0, 10));
    const failed = await stalling.settled(view.id);
    expect(failed).toMatchObject({
      state: 'failed',
      error: `no data from ${new URL(base).host} for 50 ms`,
    });
  });

  it('fails on a checksum mismatch and removes the part', async () => {
    const wrong = '0'.repeat(64);
    const view = downloads.start({ url: `${base}/models/tiny.gguf`, sha256: wrong });
    const failed = await finished(view);
    expect(failed.state).toBe('failed');
    expect(failed.error).toBe(`checksum mismatch: expected ${wrong}, got ${sourceSha}`);
    expect(existsSync(join(folder, 'tiny.gguf'))).toBe(false);
    expect(existsSync(join(folder, 'tiny.gguf.part'))).toBe(false);
  });

  it('reports an HTTP error status with the host', async () => {
    const failed = await finished(downloads.start({ url: `${base}/missing.gguf` }));
    expect(failed).toMatchObject({ state: 'failed', error: `HTTP 404 from ${new URL(base).host}` });
  });

  it('follows a relative redirect and names the file after the requested URL', async () => {
    routes.set('/latest/qwen.gguf', redirect('/models/tiny.gguf'));
    const done = await finished(downloads.start({ url: `${base}/latest/qwen.gguf` }));
    expect(done).toMatchObject({ state: 'done', file: 'qwen.gguf' });
    expect(hits.map((hit) => hit.path)).toEqual(['/latest/qwen.gguf', '/models/tiny.gguf']);
    expect(readFileSync(join(folder, 'qwen.gguf')).equals(source)).toBe(true);
  });

  it('gives up after five redirects and refuses other protocols', async () => {
    routes.set('/loop.gguf', redirect('/loop.gguf'));
    routes.set('/ftp.gguf', redirect('ftp://127.0.0.1/tiny.gguf'));
    const loop = await finished(downloads.start({ url: `${base}/loop.gguf` }));
    expect(loop).toMatchObject({ state: 'failed', error: 'too many redirects (more than 5)' });
    expect(hits.length).toBe(6);
    const ftp = await finished(downloads.start({ url: `${base}/ftp.gguf` }));
    expect(ftp.error).toMatch(/only http and https/);
  });

  it('fails a file that is not GGUF and leaves nothing behind', async () => {
    routes.set('/page.gguf', serve(Buffer.from('<html>Sign in to download</html>')));
    const failed = await finished(downloads.start({ url: `${base}/page.gguf` }));
    expect(failed).toMatchObject({ state: 'failed', error: 'not a GGUF file' });
    expect(existsSync(join(folder, 'page.gguf'))).toBe(false);
    expect(existsSync(join(folder, 'page.gguf.part'))).toBe(false);
  });

  it('fails when a model of that name is installed, without asking the server', async () => {
    writeFileSync(`${mkdirFolder()}/tiny.gguf`, source);
    const failed = await finished(downloads.start({ url: `${base}/models/tiny.gguf` }));
    expect(failed).toMatchObject({ state: 'failed', error: 'already installed: tiny.gguf' });
    expect(hits).toEqual([]);
  });

  it('refuses bad URLs, bad file names and a second download of the same file', async () => {
    expect(() => downloads.start({ url: `${base}/model.bin` })).toThrow(/must end in a \.gguf/);
    expect(() => downloads.start({ url: `${base}/x.gguf`, fileName: '../evil.gguf' })).toThrow(
      /must not contain a path/,
    );
    expect(() => downloads.start({ url: 'file:///etc/passwd.gguf' })).toThrow(/http/);
    expect(() => downloads.start({ url: `${base}/x.gguf`, sha256: 'abc' })).toThrow(/64 hex/);
    const response = takeResponse('/models/tiny.gguf');
    const first = downloads.start({ url: `${base}/models/tiny.gguf` });
    expect(() => downloads.start({ url: `${base}/models/tiny.gguf` })).toThrow(
      /downloading already/,
    );
    (await response).writeHead(200, { 'content-length': source.length }).end(source);
    expect((await finished(first)).state).toBe('done');
    expect(() => downloads.cancel('nope')).toThrow(/No download/);
  });
});

/** Creates the models folder (the downloader does so itself otherwise). */
function mkdirFolder(): string {
  mkdirSync(folder, { recursive: true });
  return folder;
}
