/**
 * Ids a node gives (model ids, job ids) hold only the protocol's safe characters, so they are
 * safe in logs, headers and CSV; a node leaves a model with another name out of its announce.
 */
import { describe, expect, it } from 'vitest';
import { nodeFrameSchema, SAFE_ID_PATTERN } from '../../common/protocol.js';
import type { LinkModel } from '../../main/engine/link/jobRunner.js';
import { announceFrame } from '../../main/engine/link/linkConnection.js';

const SAFE = [
  'tiny',
  'org/model:q4',
  'Qwen2.5-7B-Instruct-Q4_K_M',
  'hf@user/m+v2',
  'x'.repeat(128),
];
const UNSAFE = ['', 'my model', 'a,b', 'new\nline', 'après', '=cmd', '"q"', 'x'.repeat(129)];

const linkModel = (id: string) =>
  ({
    host: { id },
    price: { prompt: 1, completion: 2 },
    slots: 1,
    contextLength: 2048,
  }) as unknown as LinkModel;

describe('safe ids', () => {
  it('takes letters, digits and . _ : / @ + -, up to 128 of them', () => {
    for (const id of SAFE) expect(SAFE_ID_PATTERN.test(id), id).toBe(true);
    for (const id of UNSAFE) expect(SAFE_ID_PATTERN.test(id), id).toBe(false);
  });

  it('refuses node frames that carry another id', () => {
    for (const jobId of UNSAFE) {
      expect(nodeFrameSchema.safeParse({ type: 'job.accept', jobId }).success, jobId).toBe(false);
      expect(
        nodeFrameSchema.safeParse({ type: 'receipts.request', jobIds: [jobId] }).success,
        jobId,
      ).toBe(false);
    }
  });

  it('announces only the models whose ids are safe', () => {
    const frame = announceFrame([...SAFE, 'my model.v2', 'café'].map(linkModel), {
      summary: 'cpu',
      backend: 'cpu',
    });
    expect(frame.models.map((model) => model.id)).toEqual(SAFE);
    expect(nodeFrameSchema.safeParse(frame).success).toBe(true);
  });
});
