/**
 * Moves a model's bytes from the server into `<file>.part`: resuming from what is already
 * there when the server honours a range, hashing as the bytes arrive, and failing early
 * when the body does not start like a GGUF file.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { sizeOrZero } from './downloadFiles.js';
import {
  DownloadError,
  openDownload,
  parseContentRange,
  type OpenOptions,
} from './downloadHttp.js';

export interface TransferOptions {
  url: URL;
  partPath: string;
  /** Hash the file (the part already there, then each new byte). */
  hash: boolean;
  signal: AbortSignal;
  http: Omit<OpenOptions, 'rangeStart' | 'signal'>;
  /** Where the transfer starts (bytes already in the part) and the file's size if known. */
  onStart(receivedBytes: number, totalBytes: number | null): void;
  /** After each chunk is received. */
  onBytes(receivedBytes: number): void;
}

export interface TransferResult {
  bytes: number;
  /** Hex SHA-256 of the whole file, when hashing. */
  sha256: string | null;
}

type Plan =
  | { kind: 'body'; start: number; total: number | null }
  | { kind: 'complete'; total: number }
  | { kind: 'restart' };

const GGUF_MAGIC = Buffer.from('GGUF', 'latin1');

/** What to do with a response to a request from byte `offset`. */
function plan(response: IncomingMessage, offset: number, host: string): Plan {
  const status = response.statusCode ?? 0;
  const range = parseContentRange(response.headers['content-range']);
  if (status === 200) {
    const length = Number(response.headers['content-length']);
    return {
      kind: 'body',
      start: 0,
      total: Number.isFinite(length) && length >= 0 ? length : null,
    };
  }
  if (status === 206 && offset > 0) {
    return range?.start === offset
      ? { kind: 'body', start: offset, total: range.total }
      : { kind: 'restart' };
  }
  if (status === 416 && offset > 0) {
    // The part may already hold the whole file (a download cancelled while verifying).
    return range?.total === offset ? { kind: 'complete', total: offset } : { kind: 'restart' };
  }
  throw new DownloadError(`HTTP ${status} from ${host}`);
}

async function hashPrefix(
  path: string,
  end: number,
  hash: Hash,
  signal: AbortSignal,
): Promise<void> {
  for await (const chunk of createReadStream(path, { start: 0, end: end - 1, signal })) {
    hash.update(chunk as Buffer);
  }
}

/** Counts, hashes and checks the first bytes on their way to the file. */
/** Fails at once when the body does not start like GGUF; hashes every byte. */
function checkAndHash(start: number, hash: Hash | null): Transform {
  let received = start;
  let head = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (received < GGUF_MAGIC.length) {
        head = Buffer.concat([head, chunk]).subarray(0, GGUF_MAGIC.length - start);
        if (!GGUF_MAGIC.subarray(start, start + head.length).equals(head)) {
          done(new DownloadError('not a GGUF file', true));
          return;
        }
      }
      hash?.update(chunk);
      received += chunk.length;
      done(null, chunk);
    },
  });
}

async function flushToDisk(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Downloads into `partPath`, resuming when it exists. Resolves once the bytes are on disk. */
export async function transferToPart(options: TransferOptions): Promise<TransferResult> {
  const { partPath, signal } = options;
  let offset = await sizeOrZero(partPath);
  for (;;) {
    const { response, url } = await openDownload(options.url, {
      ...options.http,
      rangeStart: offset,
      signal,
    });
    const next = plan(response, offset, url.host);
    if (next.kind === 'restart') {
      // The server cannot continue where the part ends: start over (once).
      response.destroy();
      if (offset === 0)
        throw new DownloadError(`${url.host} sent a partial answer to a full request`);
      offset = 0;
      continue;
    }
    const hash = options.hash ? createHash('sha256') : null;
    const start = next.kind === 'complete' ? next.total : next.start;
    if (hash && start > 0) await hashPrefix(partPath, start, hash, signal);
    options.onStart(start, next.total);
    if (next.kind === 'complete') {
      response.resume();
      return { bytes: start, sha256: hash?.digest('hex') ?? null };
    }
    let received = start;
    // The file is not pipeline's to destroy: on a broken connection, what was written so far
    // is flushed and kept, so the next attempt resumes from there.
    const sink = createWriteStream(partPath, { flags: start > 0 ? 'a' : 'w' });
    const sinkClosed = finished(sink);
    try {
      await pipeline(
        response,
        checkAndHash(start, hash),
        async (chunks: AsyncIterable<Buffer>) => {
          for await (const chunk of chunks) {
            if (!sink.write(chunk)) await once(sink, 'drain');
            received += chunk.length;
            options.onBytes(received);
          }
        },
        { signal },
      );
    } catch (error) {
      if (signal.aborted || error instanceof DownloadError) throw error;
      throw new DownloadError(
        `the download from ${url.host} broke off at ${received} bytes (${(error as Error).message}); start it again to resume`,
      );
    } finally {
      sink.end();
      await sinkClosed;
    }
    if (next.total !== null && received !== next.total) {
      throw new DownloadError(
        `${url.host} closed the connection at ${received} of ${next.total} bytes; start the download again to resume`,
      );
    }
    await flushToDisk(partPath);
    return { bytes: received, sha256: hash?.digest('hex') ?? null };
  }
}
