/** A job's text chunks: one frame per piece while the link keeps up, merged while it is behind. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChunkText, MAX_HOLD_MS } from '../../main/engine/link/chunkText.js';

afterEach(() => vi.useRealTimers());

function chunks(behind: () => boolean) {
  const sent: string[] = [];
  return { sent, text: new ChunkText((text) => sent.push(text), behind) };
}

describe('ChunkText', () => {
  it('sends each piece at once while the link keeps up', () => {
    const { sent, text } = chunks(() => false);
    for (const piece of ['Once', ' upon', ' a']) text.push(piece);
    expect(sent).toEqual(['Once', ' upon', ' a']);
  });

  it('never holds the first piece, then merges while the link is behind', () => {
    let behind = true;
    const { sent, text } = chunks(() => behind);
    text.push('Once');
    text.push(' upon');
    text.push(' a');
    expect(sent).toEqual(['Once']);
    behind = false;
    text.push(' time');
    expect(sent).toEqual(['Once', ' upon a time']);
  });

  it('sends what it holds when the job ends, and nothing once dropped', () => {
    const { sent, text } = chunks(() => true);
    text.push('a');
    text.push('b');
    text.flush();
    expect(sent).toEqual(['a', 'b']);
    text.push('c');
    text.drop();
    text.flush();
    expect(sent).toEqual(['a', 'b']);
  });

  it(`holds a piece at most ${MAX_HOLD_MS} ms when the link stays behind`, () => {
    vi.useFakeTimers();
    const { sent, text } = chunks(() => true);
    text.push('a');
    text.push('b');
    vi.advanceTimersByTime(MAX_HOLD_MS - 1);
    expect(sent).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['a', 'b']);
  });
});
