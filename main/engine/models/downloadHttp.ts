/**
 * The HTTP side of a model download: one GET, optionally from a byte offset, following
 * redirects (http and https only, a few at most), with a stall timeout.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A download failed in a way the provider should read as is. */
export class DownloadError extends Error {
  /**
   * @param discardPart - the partial file is useless (not GGUF, wrong checksum) and must
   *   not be resumed from
   */
  constructor(
    message: string,
    readonly discardPart = false,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface OpenOptions {
  /** Ask for the bytes from here on (`Range: bytes=<n>-`); 0 asks for the whole file. */
  rangeStart: number;
  signal: AbortSignal;
  maxRedirects: number;
  /** Give up when the connection sends nothing for this long (ms). */
  idleTimeoutMs: number;
  userAgent: string;
}

/** The response to read the body from, and the URL it finally came from. */
export interface OpenedDownload {
  response: IncomingMessage;
  url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function get(url: URL, options: OpenOptions): Promise<IncomingMessage> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = {
    'user-agent': options.userAgent,
    // Ranges count bytes of the file itself, not of a compressed body.
    'accept-encoding': 'identity',
  };
  if (options.rangeStart > 0) headers.range = `bytes=${options.rangeStart}-`;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: 'GET', headers, signal: options.signal });
    let response: IncomingMessage | undefined;
    request.setTimeout(options.idleTimeoutMs, () => {
      const ms = options.idleTimeoutMs;
      const stalled = new DownloadError(
        `no data from ${url.host} for ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`,
      );
      // The body stream fails with this error too, not a bare "aborted".
      response?.destroy(stalled);
      request.destroy(stalled);
    });
    request.on('response', (incoming) => {
      response = incoming;
      resolve(incoming);
    });
    request.on('error', reject);
    request.end();
  });
}

/**
 * Sends the GET and follows redirects; resolves with the first response that is not a
 * redirect, whatever its status. Fails on a redirect loop, an unsupported protocol or a
 * connection error, with a readable message.
 */
export async function openDownload(start: URL, options: OpenOptions): Promise<OpenedDownload> {
  let url = start;
  for (let redirects = 0; ; redirects++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new DownloadError(`cannot download from a ${url.protocol} URL (only http and https)`);
    }
    let response: IncomingMessage;
    try {
      response = await get(url, options);
    } catch (error) {
      if (options.signal.aborted || error instanceof DownloadError) throw error;
      throw new DownloadError(`could not reach ${url.host}: ${(error as Error).message}`);
    }
    const status = response.statusCode ?? 0;
    if (!REDIRECTS.has(status)) return { response, url };
    response.resume();
    const location = response.headers.location;
    if (!location) throw new DownloadError(`HTTP ${status} from ${url.host} without a Location`);
    if (redirects >= options.maxRedirects) {
      throw new DownloadError(`too many redirects (more than ${options.maxRedirects})`);
    }
    try {
      url = new URL(location, url);
    } catch {
      throw new DownloadError(`${url.host} redirected to an invalid URL`);
    }
  }
}

/** The parts of `Content-Range: bytes <start>-<end>/<total>` (or `bytes *\/<total>`). */
export function parseContentRange(
  header: string | undefined,
): { start: number | null; total: number | null } | null {
  const match = header && /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(header.trim());
  if (!match) return null;
  return {
    start: match[1] === undefined ? null : Number(match[1]),
    total: match[2] === '*' ? null : Number(match[2]),
  };
}
