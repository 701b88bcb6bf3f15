/** Turns chunks of a text stream into whole lines (a partial last line waits for the next chunk). */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let rest = '';
  return (chunk) => {
    const lines = (rest + chunk.toString()).split(/\r?\n/);
    rest = lines.pop() ?? '';
    // A runaway line without newlines must not grow without bound.
    if (rest.length > 64 * 1024) {
      lines.push(rest);
      rest = '';
    }
    for (const line of lines) if (line.trim() !== '') onLine(line);
  };
}
