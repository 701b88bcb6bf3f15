/** Timing of streamed chat completions over raw HTTP, for benchmarks. */

export interface StreamTiming {
  /** ms from sending the request to the first content or tool-call delta */
  firstTokenMs: number;
  totalMs: number;
  /** completion tokens from the usage chunk */
  tokens: number;
}

/** A content delta or a tool-call delta. */
function isFirstOutput(event: string): boolean {
  return (
    (event.includes('"content":"') && !event.includes('"content":""')) ||
    event.includes('"tool_calls":[')
  );
}

/**
 * Streams one chat completion with fetch and times it (the body must ask for usage).
 * `headers` are added to the request's, e.g. `{ authorization: 'Bearer …' }`.
 */
export async function streamCompletion(
  baseURL: string,
  body: object,
  headers: Record<string, string> = {},
  /** Which event is the first output (default: content or a tool-call delta). */
  isOutput: (event: string) => boolean = isFirstOutput,
): Promise<StreamTiming> {
  const started = performance.now();
  const response = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok || !response.body)
    throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let buffer = '';
  let firstTokenMs: number | null = null;
  let tokens = 0;
  for await (const bytes of response.body) {
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(6, end);
      buffer = buffer.slice(end + 2);
      if (event === '[DONE]') continue;
      // Parse only what is needed, so the client's own work stays out of the figure.
      if (firstTokenMs === null && isOutput(event)) {
        firstTokenMs = performance.now() - started;
      }
      if (event.includes('"usage":{') || event.startsWith('{"error"')) {
        const chunk = JSON.parse(event) as {
          usage?: { completion_tokens: number };
          error?: { message: string };
        };
        if (chunk.error) throw new Error(chunk.error.message);
        if (chunk.usage) tokens = chunk.usage.completion_tokens;
      }
    }
  }
  const totalMs = performance.now() - started;
  return { firstTokenMs: firstTokenMs ?? totalMs, totalMs, tokens };
}

/** The p-th percentile (nearest rank) of the values. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/** The median of the values. */
export function median(values: number[]): number {
  return percentile(values, 50);
}
