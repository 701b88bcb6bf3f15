/**
 * Server-sent events as the client API writes them (`data: {...}\n\n`, then `data: [DONE]`):
 * the `data` of each event, in order, however the bytes were split.
 */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      pending += decoder.decode(value, { stream: true }).replaceAll('\r\n', '\n');
      let end = pending.indexOf('\n\n');
      while (end !== -1) {
        const data = eventData(pending.slice(0, end));
        pending = pending.slice(end + 2);
        if (data !== null) yield data;
        end = pending.indexOf('\n\n');
      }
    }
    const last = eventData(pending);
    if (last !== null) yield last;
  } finally {
    reader.releaseLock();
  }
}

/** The joined `data:` lines of one event; null for a comment or an empty event. */
function eventData(event: string): string | null {
  const lines = event
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
  return lines.length === 0 ? null : lines.join('\n');
}
