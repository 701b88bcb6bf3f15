/**
 * A real update feed and a real electron-updater, for the updater's tests.
 *
 * The feed is a local `node:http` server (port 0) serving a folder the way a lab's gateway or
 * any static server would: `latest.yml` as electron-builder writes it, and the installer it
 * names.
 *
 * The updater is electron-updater's own NsisUpdater (AppUpdater, GenericProvider, the YAML
 * parsing, the semver comparison, the download with its sha512 check). Two pieces of
 * Electron are replaced, since there is no Electron binary here: the app (electron-updater's
 * AppAdapter interface, over a temporary folder) and the HTTP executor, a stand-in for
 * Electron's `net` that sends the same requests with `node:http`.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  configureRequestOptions,
  configureRequestUrl,
  HttpExecutor,
  type CancellationToken,
  type DownloadOptions,
} from 'builder-util-runtime';
import electronUpdater from 'electron-updater';

/** A folder of files served over HTTP; `files` can change between requests. */
export interface UpdateFeed {
  url: string;
  files: Map<string, string | Buffer>;
  /** The paths asked for, in order (query strings removed). */
  requests: string[];
  close(): Promise<void>;
}

export async function startUpdateFeed(): Promise<UpdateFeed> {
  const files = new Map<string, string | Buffer>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://feed').pathname.slice(1);
    requests.push(path);
    const body = files.get(path);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    files,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Puts a Windows installer of `version` and its latest.yml, as electron-builder writes them. */
export function publishVersion(feed: UpdateFeed, version: string): void {
  const installer = Buffer.from(`BYOI Node ${version} installer`);
  const file = `BYOI-Node-Setup-${version}-x64.exe`;
  const sha512 = createHash('sha512').update(installer).digest('base64');
  feed.files.set(file, installer);
  feed.files.set(
    'latest.yml',
    [
      `version: ${version}`,
      'files:',
      `  - url: ${file}`,
      `    sha512: ${sha512}`,
      `    size: ${installer.length}`,
      `path: ${file}`,
      `sha512: ${sha512}`,
      "releaseDate: '2026-11-30T10:00:00.000Z'",
      '',
    ].join('\n'),
  );
}

/** Stand-in for Electron's `net`: electron-updater's requests and downloads over node:http. */
class NodeHttpExecutor extends HttpExecutor<ClientRequest> {
  createRequest(options: object, callback: (response: IncomingMessage) => void): ClientRequest {
    return request(options, callback);
  }

  /** What ElectronHttpExecutor.download does, on node:http. */
  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    const token = options.cancellationToken as CancellationToken;
    return token.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions = { headers: options.headers ?? undefined, redirect: 'manual' };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        {
          destination,
          options,
          onCancel,
          callback: (error) => (error ? reject(error) : resolve(destination)),
          responseHandler: null,
        },
        0,
      );
    });
  }
}

/**
 * electron-updater's NsisUpdater as the app at `version` runs it, its data in `dir`:
 * app-update.yml there (electron-builder writes it into the app), and Windows' `latest.yml`.
 */
export async function realAppUpdater(
  dir: string,
  version: string,
  options: { packaged?: boolean } = {},
): Promise<InstanceType<typeof electronUpdater.NsisUpdater>> {
  const configPath = join(dir, 'app-update.yml');
  await writeFile(
    configPath,
    'provider: generic\nurl: https://updates.byoi.invalid/\nupdaterCacheDirName: byoi-node-updater\n',
  );
  const app = {
    version,
    name: 'BYOI Node',
    isPackaged: options.packaged ?? true,
    appUpdateConfigPath: configPath,
    userDataPath: dir,
    baseCachePath: dir,
    whenReady: async () => undefined,
    relaunch: () => undefined,
    quit: () => undefined,
    onQuit: () => undefined,
  };
  const updater = new electronUpdater.NsisUpdater(null, app);
  const internals = updater as unknown as {
    httpExecutor: HttpExecutor<ClientRequest>;
    _testOnlyOptions: { platform: NodeJS.Platform };
  };
  internals.httpExecutor = new NodeHttpExecutor();
  // The feed file is per platform (latest-linux.yml here): read Windows' latest.yml.
  internals._testOnlyOptions = { platform: 'win32' };
  return updater;
}
