/**
 * The ledger's append-only file, crash-safe:
 * - appends are serialized with group commit: records that arrive while a write is in flight
 *   go out together in one write and one fsync, and each append resolves only once the fsync
 *   covering it has returned;
 * - on open, a torn last line (no newline, or failing its checksum) was never acknowledged:
 *   its bytes are copied to `<path>.torn` and the file is cut back to the last good line, so
 *   the next append starts on a line of its own;
 * - a bad line in the middle is left exactly where it is and counted.
 */
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../../common/log.js';
import { decodeLine, type DecodedLine } from './ledgerRecords.js';

const NEWLINE = 0x0a;

interface Pending {
  bytes: Buffer;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** What was in the file at open, after any torn tail was set aside. */
export interface LogContents {
  /** Every line before the good end, in file order. */
  lines: DecodedLine[];
  /** Bytes moved to `<path>.torn` by this open (0 when the file ended cleanly). */
  tornBytes: number;
}

/** An open append-only JSONL file. */
export class AppendLog {
  private readonly queue: Pending[] = [];
  private writing = false;
  private closed = false;
  private failure: Error | undefined;
  private idleWaiters: (() => void)[] = [];

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly logger: Logger,
  ) {}

  /** Opens (creating it 0600, its folder 0700) and repairs the file; see the file comment. */
  static async open(path: string, logger: Logger): Promise<{ log: AppendLog } & LogContents> {
    const dir = dirname(path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const data = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    const { lines, goodEnd } = splitLines(data ?? Buffer.alloc(0));
    const handle = await open(path, 'a', 0o600);
    try {
      if (data === null) {
        // A new file's directory entry is durable only once the directory itself is synced.
        await handle.sync();
        await syncDirectory(dir);
      }
      const torn = data ? data.subarray(goodEnd) : Buffer.alloc(0);
      if (torn.length > 0) {
        // Keep the bytes before cutting them off: a crash in between leaves them in both places.
        await appendDurably(`${path}.torn`, torn);
        await handle.truncate(goodEnd);
        await handle.sync();
        logger.warn('ledger: set aside an unfinished last line', {
          path,
          bytes: torn.length,
          tornPath: `${path}.torn`,
        });
      }
      return { log: new AppendLog(path, handle, logger), lines, tornBytes: torn.length };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Appends lines (without newlines) in one write; resolves once they are fsynced. Rejects
   * after close, and after any failed write: the file's tail is then unknown, and only a
   * reopen (which repairs it) makes the log writable again.
   */
  append(lines: string[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`ledger ${this.path} is closed`));
    if (this.failure) return Promise.reject(this.failure);
    if (lines.length === 0) return Promise.resolve();
    const bytes = Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8');
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        void this.drain();
      }
    });
  }

  /** Waits for queued appends, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.writing) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.handle.close();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        if (this.failure) throw this.failure;
        await writeAll(this.handle, Buffer.concat(batch.map((item) => item.bytes)));
        await this.handle.sync();
        for (const item of batch) item.resolve();
      } catch (error) {
        if (!this.failure) {
          this.failure = error instanceof Error ? error : new Error(String(error));
          this.logger.error('ledger: write failed; no more writes until the ledger reopens', {
            path: this.path,
            error: this.failure.message,
          });
        }
        for (const item of batch) item.reject(this.failure);
      }
    }
    // Cleared in the same tick as the empty-queue check, so no append is ever stranded.
    this.writing = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/** Decodes the complete lines; `goodEnd` excludes a torn last line. */
function splitLines(data: Buffer): { lines: DecodedLine[]; goodEnd: number } {
  const lines: DecodedLine[] = [];
  const starts: number[] = [];
  let start = 0;
  for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE, start)) {
    starts.push(start);
    lines.push(decodeLine(data.subarray(start, end)));
    start = end + 1;
  }
  if (start < data.length) return { lines, goodEnd: start };
  const last = lines.at(-1);
  if (last?.kind === 'corrupt') {
    lines.pop();
    return { lines, goodEnd: starts.at(-1) ?? 0 };
  }
  return { lines, goodEnd: data.length };
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

async function appendDurably(path: string, bytes: Buffer): Promise<void> {
  const handle = await open(path, 'a', 0o600);
  try {
    // One torn tail per line in the .torn file, so several crashes stay apart.
    const separated = bytes.at(-1) === NEWLINE ? bytes : Buffer.concat([bytes, Buffer.from('\n')]);
    await writeAll(handle, separated);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory as a file; NTFS journals the entry itself.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
