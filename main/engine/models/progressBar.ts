/**
 * A download's progress for a terminal: `[########------------]  42%  210/491 MB  12.3 MB/s`.
 * On a TTY the line is redrawn in place; elsewhere (a log file, CI) a line is printed at each
 * tenth, so the output stays short.
 */
import type { DownloadView } from '../../../common/nodeApi.js';

const BAR_WIDTH = 24;
const MB = 1_000_000;

const megabytes = (bytes: number) => (bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0);

/** The progress line of one download (no newline). */
export function progressLine(view: DownloadView): string {
  const { receivedBytes: received, totalBytes: total } = view;
  const speed = view.bytesPerSecond === null ? '' : `  ${megabytes(view.bytesPerSecond)} MB/s`;
  if (total === null || total === 0) return `${view.file}: ${megabytes(received)} MB${speed}`;
  const share = Math.min(1, received / total);
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const percent = `${Math.floor(share * 100)}%`.padStart(4);
  return `${bar} ${percent}  ${megabytes(received)}/${megabytes(total)} MB${speed}`;
}

/** Writes progress to `out`; call `done()` before printing anything else. */
export function progressPrinter(out: { write(text: string): unknown; isTTY?: boolean }) {
  let lastTenth = -1;
  let drawn = false;
  return {
    update(view: DownloadView, force = false): void {
      if (out.isTTY) {
        out.write(`\r${progressLine(view)}\x1b[K`);
        drawn = true;
        return;
      }
      const tenth = view.totalBytes
        ? Math.floor((10 * view.receivedBytes) / view.totalBytes)
        : lastTenth;
      if (tenth === lastTenth && !force) return;
      lastTenth = tenth;
      out.write(`${progressLine(view)}\n`);
    },
    /** Draws the last state (a fast download may never have shown 100 %), ends the line. */
    done(last: DownloadView): void {
      if (last.state === 'done') this.update(last, true);
      if (drawn) out.write('\n');
      drawn = false;
    },
  };
}
