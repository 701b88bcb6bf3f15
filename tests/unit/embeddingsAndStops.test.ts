/**
 * Pure pieces of `/v1/embeddings` and `/v1/completions`: the base64 float32 encoding (what
 * OpenAI sends and the `openai` client decodes) and stop sequences matched on streamed text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64ToFloat32,
  embeddingInputs,
  embeddingsRequestSchema,
  float32ToBase64,
} from '../../common/openaiEmbeddings.js';
import { StopSequences } from '../../main/engine/inference/stopSequences.js';

describe('base64 float32 vectors', () => {
  it('encodes little-endian float32 exactly like Buffer, and decodes back', () => {
    fc.assert(
      fc.property(fc.float32Array({ noNaN: true, maxLength: 3000 }), (vector) => {
        const base64 = float32ToBase64(vector);
        const bytes = Buffer.alloc(vector.length * 4);
        vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
        expect(base64).toBe(bytes.toString('base64'));
        expect(Array.from(base64ToFloat32(base64))).toEqual(Array.from(vector));
      }),
    );
  });

  it('refuses a length that is not whole floats', () => {
    expect(() => base64ToFloat32(btoa('abc'))).toThrow(RangeError);
  });
});

describe('embedding inputs', () => {
  it('lists one string, one token array, or each item', () => {
    const parse = (input: unknown) =>
      embeddingInputs(embeddingsRequestSchema.parse({ model: 'm', input }).input);
    expect(parse('a')).toEqual(['a']);
    expect(parse([1, 2])).toEqual([[1, 2]]);
    expect(parse(['a', 'b'])).toEqual(['a', 'b']);
    expect(parse([[1], [2, 3]])).toEqual([[1], [2, 3]]);
  });
});

describe('StopSequences', () => {
  it('never sends a stop sequence, and sends everything before it, however the text is split', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'c'), maxLength: 40 }),
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ' '), minLength: 1, maxLength: 3 }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 20 }),
        (text, stops, cuts) => {
          const detector = new StopSequences(stops);
          let sent = '';
          let at = 0;
          for (const cut of cuts) {
            if (detector.stopped) break;
            sent += detector.push(text.slice(at, at + cut));
            at += cut;
          }
          if (!detector.stopped) {
            sent += detector.push(text.slice(at));
            sent += detector.flush();
          }
          const first = Math.min(...stops.map((s) => text.indexOf(s)).filter((i) => i >= 0));
          expect(sent).toBe(Number.isFinite(first) ? text.slice(0, first) : text);
          expect(detector.stopped).toBe(Number.isFinite(first));
        },
      ),
    );
  });

  it('holds back only a tail that could begin a stop sequence', () => {
    const detector = new StopSequences(['o s']);
    expect(detector.push(' so')).toBe(' s');
    expect(detector.push(' so')).toBe('');
    expect(detector.stopped).toBe(true);
  });
});
