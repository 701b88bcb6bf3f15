/** A node's embeddings are believed only whole and well formed. */
import { describe, expect, it } from 'vitest';
import { float32ToBase64 } from '../../common/openaiEmbeddings.js';
import { NodeVectors } from '../../gateway/routing/nodeVectors.js';

const b64 = (...values: number[]) => float32ToBase64(Float32Array.from(values));

describe('NodeVectors', () => {
  it('takes one vector per input, in any order, and gives them back in input order', () => {
    const vectors = new NodeVectors(2, 3);
    vectors.add(1, b64(4, 5, 6));
    vectors.add(0, b64(1, 2, 3));
    expect(vectors.all().map((vector) => Array.from(vector))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it.each([
    ['an index past the inputs', (v: NodeVectors) => v.add(2, b64(1, 2)), /for no input/],
    [
      'the same index twice',
      (v: NodeVectors) => (v.add(0, b64(1, 2)), v.add(0, b64(1, 2))),
      /twice/,
    ],
    ['a size other than announced', (v: NodeVectors) => v.add(0, b64(1, 2, 3)), /not 2/],
    ['a NaN', (v: NodeVectors) => v.add(0, b64(1, Number.NaN)), /non-finite/],
    ['bytes that are not whole floats', (v: NodeVectors) => v.add(0, 'AAA='), /multiple of 4/],
    ['an empty vector', (v: NodeVectors) => v.add(0, ''), /empty/],
    ['a missing vector', (v: NodeVectors) => (v.add(0, b64(1, 2)), v.all()), /1 of 2/],
  ])('refuses %s', (_name, act, message) => {
    expect(() => act(new NodeVectors(2, 2))).toThrow(message);
  });
});
