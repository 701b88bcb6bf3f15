/** Decoding gateway frames and encoding node frames, with the reasons a link is closed. */
import type { RawData } from 'ws';
import { plainChunkFrame } from '../../../common/chunkFrame.js';
import {
  CloseCode,
  gatewayFrameSchema,
  nodeFrameSchema,
  type GatewayFrame,
  type NodeFrame,
} from '../../../common/protocol.js';

/** A frame that failed to decode: the link closes with this code and reason. */
export interface FrameFault {
  code: CloseCode;
  reason: string;
}

export type DecodedFrame = { ok: true; frame: GatewayFrame } | { ok: false; fault: FrameFault };

const MAX_CLOSE_REASON_BYTES = 123;
const FRAME_TYPES: ReadonlySet<unknown> = new Set(
  gatewayFrameSchema.options.map((option) => option.shape.type.value),
);

/** Shortens `reason` to what a WebSocket close frame can carry (123 bytes of UTF-8). */
export function closeReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
  // Cut on a character boundary: drop trailing continuation bytes of a split character.
  let end = MAX_CLOSE_REASON_BYTES - 1;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** Validates one WebSocket message from the gateway against {@link gatewayFrameSchema}. */
export function decodeGatewayFrame(data: RawData, isBinary: boolean): DecodedFrame {
  if (isBinary) {
    return {
      ok: false,
      fault: { code: CloseCode.BadFrame, reason: 'binary frames are not allowed' },
    };
  }
  const buffer = Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(data);
  const text = buffer.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, fault: { code: CloseCode.BadFrame, reason: 'frame is not JSON' } };
  }
  const parsed = gatewayFrameSchema.safeParse(json);
  if (!parsed.success) {
    const type = (json as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !FRAME_TYPES.has(type)) {
      const named = typeof type === 'string' ? `'${type}'` : 'missing';
      return {
        ok: false,
        fault: { code: CloseCode.BadFrame, reason: closeReason(`unknown frame type ${named}`) },
      };
    }
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return {
      ok: false,
      fault: {
        code: CloseCode.BadFrame,
        reason: closeReason(`invalid '${type}' frame${where}: ${issue?.message ?? 'invalid'}`),
      },
    };
  }
  return { ok: true, frame: parsed.data };
}

/** Encodes a node frame, or returns the zod message when it breaks the protocol's limits. */
export function encodeNodeFrame(
  frame: NodeFrame,
): { ok: true; text: string } | { ok: false; error: string } {
  if (plainChunkFrame(frame)) return { ok: true, text: JSON.stringify(frame) };
  const parsed = nodeFrameSchema.safeParse(frame);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, text: JSON.stringify(frame) };
}
