/** The `job.chunk` fast path agrees with the protocol schema on every frame it accepts. */
import { describe, expect, it } from 'vitest';
import { plainChunkFrame } from '../../common/chunkFrame.js';
import { MAX_CHUNK_TEXT, nodeFrameSchema } from '../../common/protocol.js';

const valid = { type: 'job.chunk', jobId: 'job_1a2b', index: 3, text: ' so' };

/** Each a way to differ from a plain text chunk, valid for the schema or not. */
const VARIANTS: Record<string, unknown>[] = [
  {},
  { text: '' },
  { text: 'é🙂' },
  { text: 'x'.repeat(MAX_CHUNK_TEXT) },
  { text: 'x'.repeat(MAX_CHUNK_TEXT + 1) },
  { text: 42 },
  { text: undefined },
  { jobId: '' },
  { jobId: 'x'.repeat(128) },
  { jobId: 'x'.repeat(129) },
  { jobId: 'job 1' },
  { jobId: 'org/model:q4@a+b-c.d_e' },
  { jobId: 7 },
  { index: 0 },
  { index: -1 },
  { index: 1.5 },
  { index: Number.MAX_SAFE_INTEGER + 1 },
  { index: '3' },
  { index: Number.NaN },
  { type: 'job.done' },
  { extra: true },
  { delta: { tool_calls: [{ index: 0, function: { arguments: '{}' } }] } },
  { __proto__: { polluted: true } },
];

describe('plainChunkFrame', () => {
  it.each(VARIANTS.map((variant) => [JSON.stringify(variant), variant]))(
    'accepts only what the schema accepts, with the same result (%s)',
    (_name, variant) => {
      const frame = { ...valid, ...variant };
      const fast = plainChunkFrame(frame);
      const schema = nodeFrameSchema.safeParse(frame);
      if (fast) {
        expect(schema.success).toBe(true);
        expect(fast).toEqual(schema.data);
      } else if (schema.success) {
        // Left to the schema: only shapes the fast path does not cover.
        expect(
          Object.keys(frame).some((key) => !['type', 'jobId', 'index', 'text'].includes(key)),
        ).toBe(true);
      }
    },
  );

  it('takes a plain chunk without the schema', () => {
    expect(plainChunkFrame(valid)).toEqual(valid);
    expect(plainChunkFrame(null)).toBeNull();
    expect(plainChunkFrame('job.chunk')).toBeNull();
  });
});
