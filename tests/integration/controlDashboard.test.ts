import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { NODE_API_VERBS, type NodeApi } from '../../common/nodeApi.js';
import {
  startControlServer,
  type RunningControlServer,
} from '../../main/engine/control/controlServer.js';
import { defaultDashboardDir } from '../../main/engine/control/dashboard.js';
import { rendererBuildDir } from '../../common/node/staticFiles.js';

const TOKEN = 'dashboard-token-0123456789';
const INDEX = '<!doctype html><title>BYOI Node</title><script src="./assets/index-DvdntMyU.js">';
const SCRIPT = 'console.log("dashboard");';
const SECRET = 'not for the browser';

const api = Object.fromEntries(
  NODE_API_VERBS.map((verb) => [verb, async () => ({})]),
) as unknown as NodeApi;

/** A raw request, so that paths are sent exactly as written (no `..` folding) and Host can be set. */
function get(url: string, path: string, headers: Record<string, string> = {}) {
  const { hostname, port, host } = new URL(url);
  return new Promise<{ status: number; body: string; headers: IncomingHttpHeaders }>(
    (resolve, reject) => {
      const req = httpRequest({ hostname, port, path, headers: { host, ...headers } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

async function startWith(dashboardDir: string): Promise<RunningControlServer> {
  return startControlServer({
    api,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    logger: silentLogger,
    dashboardDir,
  });
}

describe('dashboard over HTTP', () => {
  let root: string;
  let server: RunningControlServer;

  beforeAll(async () => {
    // root/secret.txt and root/build/secret.txt lie outside the assets a request may reach.
    root = await mkdtemp(join(tmpdir(), 'byoi-dashboard-'));
    const build = join(root, 'build');
    await mkdir(join(build, 'assets'), { recursive: true });
    await writeFile(join(build, 'index.html'), INDEX);
    await writeFile(join(build, 'secret.txt'), SECRET);
    await writeFile(join(root, 'secret.txt'), SECRET);
    await writeFile(join(build, 'assets', 'index-DvdntMyU.js'), SCRIPT);
    await writeFile(join(build, 'assets', 'index-ws0Vmrsv.css'), 'body{margin:0}');
    await writeFile(join(build, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    server = await startWith(build);
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves index.html at / without a token, never cached stale, with the security headers', async () => {
    const response = await get(server.url, '/');
    expect(response.status).toBe(200);
    expect(response.body).toBe(INDEX);
    expect(response.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    const csp = response.headers['content-security-policy'];
    for (const directive of [
      "default-src 'self'",
      "connect-src 'self'",
      "img-src 'self' data:",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe');
  });

  it.each([
    ['index-DvdntMyU.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
    ['index-ws0Vmrsv.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
    ['logo.svg', 'image/svg+xml', 'no-cache'],
  ])('serves assets/%s as %s, cached as %s', async (file, type, cacheControl) => {
    const response = await get(server.url, `/assets/${file}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.headers['cache-control']).toBe(cacheControl);
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('answers the favicon browsers ask for with no content rather than a 404', async () => {
    const response = await get(server.url, '/favicon.ico');
    expect(response.status).toBe(204);
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('answers a missing asset with 404', async () => {
    const response = await get(server.url, '/assets/nothing-12345678.js');
    expect(response.status).toBe(404);
  });

  it.each([
    '/assets/../secret.txt',
    '/assets/../../secret.txt',
    '/assets/%2e%2e/secret.txt',
    '/assets/%2E%2E%2Fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/..%5csecret.txt',
    '/assets/%2e%2e%5c%2e%2e%5csecret.txt',
    '/assets//etc/passwd',
    '/assets/index-DvdntMyU.js%00.png',
  ])('refuses the traversal %s', async (path) => {
    const response = await get(server.url, path);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.code).toBe('bad_path');
    expect(response.body).not.toContain(SECRET);
    expect(response.body).not.toContain('root:');
  });

  it('still checks the Host header for static files', async () => {
    const response = await get(server.url, '/', { host: 'evil.example' });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error.code).toBe('host_not_allowed');
  });

  it('still wants the token for the API', async () => {
    expect((await get(server.url, '/api/status')).status).toBe(401);
  });
});

describe('dashboard not built', () => {
  it.each([
    ['the folder is missing', (root: string) => join(root, 'nothing-here')],
    ['index.html is missing', (root: string) => root],
  ])('answers / with a readable 404 when %s', async (_name, dirOf) => {
    const root = await mkdtemp(join(tmpdir(), 'byoi-dashboard-empty-'));
    const server = await startWith(dirOf(root));
    const response = await get(server.url, '/');
    await server.close();
    await rm(root, { recursive: true, force: true });
    expect(response.status).toBe(404);
    const error = JSON.parse(response.body).error;
    expect(error.message).toBe('The dashboard is not built: run npm run build');
    expect(error.code).toBe('dashboard_not_built');
    // Static files need no token, so the answer must not tell strangers where the node lives.
    expect(response.body).not.toContain(root);
  });
});

describe('default dashboard folder', () => {
  const at = (path: string) => defaultDashboardDir(pathToFileURL(path).href);

  it('is out/renderer beside the bundle, from an entry or a shared chunk', () => {
    expect(at('/app/out/main/byoi-node.js')).toBe('/app/out/renderer');
    expect(at('/app/out/main/chunks/controlServer-Dz_3kMuW.js')).toBe('/app/out/renderer');
    expect(at('/srv/out/app/out/main/engine-host.js')).toBe('/srv/out/app/out/renderer');
  });

  it('is <root>/out/renderer when run from source', () => {
    // The module that finds it is common/node/staticFiles.ts, shared with the gateway's console.
    expect(at('/repo/common/node/staticFiles.ts')).toBe('/repo/out/renderer');
    expect(rendererBuildDir()).toBe(join(process.cwd(), 'out', 'renderer'));
    expect(defaultDashboardDir()).toBe(join(process.cwd(), 'out', 'renderer'));
  });
});
