/** The playground's SSE reader: events however the bytes are split, comments skipped. */
import { describe, expect, it } from 'vitest';
import { sseData } from '../../../renderer/src/console/screens/playground/sseEvents.js';

function streamOf(parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

async function collect(parts: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const data of sseData(streamOf(parts))) out.push(data);
  return out;
}

describe('sseData', () => {
  it('yields each event once, across any split of the bytes', async () => {
    const text = 'data: {"a":1}\n\ndata: {"b":"é"}\n\ndata: [DONE]\n\n';
    const whole = await collect([text]);
    expect(whole).toEqual(['{"a":1}', '{"b":"é"}', '[DONE]']);
    const bytes = new TextEncoder().encode(text);
    for (let cut = 1; cut < bytes.length; cut += 1) {
      // Splits inside the two-byte "é" too: the reader decodes in streaming mode.
      const parts = [bytes.slice(0, cut), bytes.slice(cut)];
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of parts) controller.enqueue(part);
          controller.close();
        },
      });
      const out: string[] = [];
      for await (const data of sseData(stream)) out.push(data);
      expect(out, `cut at byte ${cut}`).toEqual(whole);
    }
  });

  it('skips comments, joins multi-line data and reads CRLF and an unterminated last event', async () => {
    expect(
      await collect([': keep-alive\n\n', 'data: one\ndata: two\r\n\r\n', 'data:last']),
    ).toEqual(['one\ntwo', 'last']);
  });
});
