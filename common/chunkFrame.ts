/**
 * The fast path of the commonest link frame, a text-only `job.chunk`: the checks of
 * `nodeFrameSchema`, by hand, for the node that sends one per token and the gateway that
 * receives them. A value that is not exactly that shape (tool-call deltas, extra keys,
 * anything invalid) gives null, and the caller validates it with the schema as usual.
 */
import { MAX_CHUNK_TEXT, SAFE_ID_PATTERN, type NodeFrame } from './protocol.js';

/** A text-only `job.chunk` frame. */
export type PlainChunkFrame = Extract<NodeFrame, { type: 'job.chunk' }>;

const CHUNK_KEYS = new Set(['type', 'jobId', 'index', 'text']);

/** `value` as a valid text-only chunk frame, or null when the schema must decide. */
export function plainChunkFrame(value: unknown): PlainChunkFrame | null {
  if (typeof value !== 'object' || value === null) return null;
  const { type, jobId, index, text } = value as Record<string, unknown>;
  if (type !== 'job.chunk' || typeof text !== 'string' || text.length > MAX_CHUNK_TEXT) return null;
  if (typeof jobId !== 'string' || !SAFE_ID_PATTERN.test(jobId)) return null;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) return null;
  for (const key in value) if (!CHUNK_KEYS.has(key)) return null;
  return { type, jobId, index, text };
}
