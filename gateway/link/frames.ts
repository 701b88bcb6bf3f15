/**
 * Parsing of inbound link frames and close reasons. Every problem becomes a close code and a
 * short reason (WebSocket close reasons are limited to 123 bytes), never an exception.
 */
import type { RawData } from 'ws';
import { plainChunkFrame } from '../../common/chunkFrame.js';
import { paramPath } from '../../common/openaiErrors.js';
import {
  CloseCode,
  MAX_FRAME_BYTES,
  nodeFrameSchema,
  type NodeFrame,
} from '../../common/protocol.js';

/** The longest close reason a WebSocket close frame can carry, in UTF-8 bytes. */
export const MAX_CLOSE_REASON_BYTES = 123;

/** A parsed frame, or why the link must close. */
export type ParsedFrame =
  { ok: true; frame: NodeFrame } | { ok: false; code: CloseCode; reason: string };

const KNOWN_TYPES = new Set<string>(
  nodeFrameSchema.options.map((option) => option.shape.type.value),
);

/** `text` cut to at most {@link MAX_CLOSE_REASON_BYTES} UTF-8 bytes, on a character boundary. */
export function closeReason(text: string): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > MAX_CLOSE_REASON_BYTES) break;
    end += char.length;
  }
  return text.slice(0, end);
}

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function describe(value: unknown): string {
  const text = String(value);
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}

/** Validates one inbound WebSocket message as a {@link NodeFrame}. */
export function parseNodeFrame(data: RawData, isBinary: boolean): ParsedFrame {
  if (isBinary) {
    return { ok: false, code: CloseCode.BadFrame, reason: 'binary frames are not allowed' };
  }
  const bytes = asBuffer(data);
  if (bytes.length > MAX_FRAME_BYTES) {
    return {
      ok: false,
      code: CloseCode.FrameTooLarge,
      reason: `frame larger than ${MAX_FRAME_BYTES} bytes`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, code: CloseCode.BadFrame, reason: 'frame is not valid JSON' };
  }
  const chunk = plainChunkFrame(json);
  if (chunk) return { ok: true, frame: chunk };
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') {
    return { ok: false, code: CloseCode.BadFrame, reason: 'frame has no string "type"' };
  }
  if (!KNOWN_TYPES.has(type)) {
    return {
      ok: false,
      code: CloseCode.BadFrame,
      reason: closeReason(`unknown frame type '${describe(type)}'`),
    };
  }
  const result = nodeFrameSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? paramPath(issue.path) : null;
    const detail = issue ? `${where ? `${where}: ` : ''}${issue.message}` : 'invalid';
    return { ok: false, code: CloseCode.BadFrame, reason: closeReason(`bad ${type}: ${detail}`) };
  }
  return { ok: true, frame: result.data };
}
