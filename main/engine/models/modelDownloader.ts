/**
 * Model downloads into the models folder. Each download grows in `<file>.part` and is
 * resumable: cancelling keeps the part, and starting the same file again asks the server
 * for the rest. When done it is checked (GGUF header, SHA-256 when given) and moved into
 * place in one step, never over an existing model.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../../common/log.js';
import type { DownloadView } from '../../../common/nodeApi.js';
import { ApiError } from '../../../common/openaiErrors.js';
import { assertGgufHeader } from '../inference/ggufHeader.js';
import { PART_SUFFIX, downloadFileName, exists, moveNoClobber } from './downloadFiles.js';
import { DownloadError } from './downloadHttp.js';
import { transferToPart } from './downloadTransfer.js';
import { SpeedMeter, Throttle } from './transferMeter.js';

/** What to download; `fileName` defaults to the URL's last path segment. */
export interface DownloadRequest {
  url: string;
  /** Hex SHA-256 the finished file must have. */
  sha256?: string;
  fileName?: string;
}

export interface ModelDownloadsOptions {
  /** The models folder (created when needed). */
  folder: string;
  logger?: Logger;
  /** Least time between two progress events of one download (default 250 ms). */
  progressIntervalMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Fail when the server sends nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
  userAgent?: string;
}

/** One download's state. */
interface Job {
  /** Mutated in place; listeners get copies. */
  view: DownloadView;
  url: URL;
  sha256: string | null;
  abort: AbortController;
}

interface Download extends Job {
  /** Resolves with the final view once nothing touches the files any more. */
  settled: Promise<DownloadView>;
}

const ACTIVE = new Set<DownloadView['state']>(['downloading', 'verifying']);

/** The node's downloads, in start order. `change` fires on progress and state changes. */
export class ModelDownloads extends EventEmitter<{ change: [DownloadView] }> {
  private readonly downloads = new Map<string, Download>();
  /** The latest download of each file, so a resume waits for a cancelled one to let go. */
  private readonly byFile = new Map<string, Download>();
  private readonly logger: Logger;

  constructor(private readonly options: ModelDownloadsOptions) {
    super();
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * Starts a download and returns its first view. Throws a 400 {@link ApiError} for a URL
   * that is not http(s), a bad file name, or a file that is downloading already.
   */
  start(request: DownloadRequest): DownloadView {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw ApiError.invalidRequest(`'${request.url}' is not a URL`, 'url');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw ApiError.invalidRequest('Only http:// and https:// URLs can be downloaded', 'url');
    }
    if (request.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(request.sha256)) {
      throw ApiError.invalidRequest('sha256 must be 64 hex digits', 'sha256');
    }
    const file = downloadFileName(url, request.fileName);
    const previous = this.byFile.get(file);
    if (previous && ACTIVE.has(previous.view.state)) {
      throw ApiError.invalidRequest(`${file} is downloading already`, 'url');
    }
    const job: Job = {
      view: {
        id: randomUUID(),
        url: request.url,
        file,
        state: 'downloading',
        receivedBytes: 0,
        totalBytes: null,
        bytesPerSecond: null,
        error: null,
      },
      url,
      sha256: request.sha256?.toLowerCase() ?? null,
      abort: new AbortController(),
    };
    // A resume of a cancelled download waits until that one has closed the part.
    const download: Download = {
      ...job,
      settled: (previous?.settled ?? Promise.resolve()).then(() => this.run(job)),
    };
    this.downloads.set(job.view.id, download);
    this.byFile.set(file, download);
    this.publish(job.view);
    return { ...download.view };
  }

  /** Stops a download and keeps its part for a later resume; a finished one is left as is. */
  cancel(id: string): DownloadView {
    const download = this.get(id);
    if (ACTIVE.has(download.view.state)) {
      download.view.state = 'cancelled';
      download.view.bytesPerSecond = null;
      download.abort.abort(new DownloadError('cancelled'));
      this.publish(download.view);
    }
    return { ...download.view };
  }

  /** Every download of this run, in start order. */
  list(): DownloadView[] {
    return [...this.downloads.values()].map((download) => ({ ...download.view }));
  }

  /** Resolves with the download's final view once it has finished, failed or let go. */
  settled(id: string): Promise<DownloadView> {
    return this.get(id).settled;
  }

  /** Cancels every running download and waits until their files are closed. */
  async stop(): Promise<void> {
    const running = [...this.downloads.values()].filter((d) => ACTIVE.has(d.view.state));
    for (const download of running) this.cancel(download.view.id);
    await Promise.all(running.map((download) => download.settled));
  }

  private get(id: string): Download {
    const download = this.downloads.get(id);
    if (!download) throw ApiError.invalidRequest(`No download with id '${id}'`, 'id');
    return download;
  }

  private async run(download: Job): Promise<DownloadView> {
    const { view, abort } = download;
    const finalPath = join(this.options.folder, view.file);
    const partPath = finalPath + PART_SUFFIX;
    const started = performance.now();
    if (abort.signal.aborted) return { ...view };
    this.logger.info('model download started', {
      id: view.id,
      file: view.file,
      host: download.url.host,
    });
    try {
      if (await exists(finalPath)) throw new DownloadError(`already installed: ${view.file}`);
      await mkdir(this.options.folder, { recursive: true });
      const result = await this.transfer(download, partPath);
      this.setState(download, 'verifying');
      await this.verify(download, partPath, result.sha256);
      abort.signal.throwIfAborted();
      await moveNoClobber(partPath, finalPath).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
        await unlink(partPath).catch(() => undefined);
        throw new DownloadError(`already installed: ${view.file}`);
      });
      this.setState(download, 'done');
      this.logger.info('model download finished', {
        id: view.id,
        file: view.file,
        bytes: view.receivedBytes,
        ms: Math.round(performance.now() - started),
      });
    } catch (error) {
      await this.fail(download, partPath, error);
    }
    return { ...view };
  }

  private transfer(download: Job, partPath: string) {
    const { view } = download;
    const speed = new SpeedMeter();
    const throttle = new Throttle(this.options.progressIntervalMs ?? 250);
    return transferToPart({
      url: download.url,
      partPath,
      hash: download.sha256 !== null,
      signal: download.abort.signal,
      http: {
        maxRedirects: this.options.maxRedirects ?? 5,
        idleTimeoutMs: this.options.idleTimeoutMs ?? 60_000,
        userAgent: this.options.userAgent ?? 'byoi-node',
      },
      onStart: (received, total) => {
        view.receivedBytes = received;
        view.totalBytes = total;
        speed.record(performance.now(), received);
      },
      onBytes: (received) => {
        const now = performance.now();
        view.receivedBytes = received;
        speed.record(now, received);
        view.bytesPerSecond = speed.bytesPerSecond();
        if (throttle.ready(now) && view.state === 'downloading') this.publish(view);
      },
    });
  }

  private async verify(download: Job, partPath: string, digest: string | null): Promise<void> {
    try {
      await assertGgufHeader(partPath);
    } catch {
      throw new DownloadError('not a GGUF file', true);
    }
    if (download.sha256 !== null && digest !== download.sha256) {
      throw new DownloadError(
        `checksum mismatch: expected ${download.sha256}, got ${digest}`,
        true,
      );
    }
  }

  private async fail(download: Job, partPath: string, error: unknown): Promise<void> {
    const { view } = download;
    if (error instanceof DownloadError && error.discardPart) {
      await unlink(partPath).catch(() => undefined);
    }
    if (view.state === 'cancelled') {
      this.logger.info('model download cancelled', {
        id: view.id,
        file: view.file,
        bytes: view.receivedBytes,
      });
      return;
    }
    view.error =
      error instanceof DownloadError
        ? error.message
        : `download failed: ${error instanceof Error ? error.message : String(error)}`;
    this.setState(download, 'failed');
    this.logger.warn('model download failed', { id: view.id, file: view.file, error: view.error });
  }

  /** Emits a copy; a listener that throws must not break the download. */
  private publish(view: DownloadView): void {
    try {
      this.emit('change', { ...view });
    } catch (error) {
      this.logger.error('download listener failed', { error: String(error) });
    }
  }

  private setState(download: Job, state: DownloadView['state']): void {
    if (download.view.state === 'cancelled') return;
    download.view.state = state;
    if (state !== 'downloading') download.view.bytesPerSecond = null;
    this.publish(download.view);
  }
}
