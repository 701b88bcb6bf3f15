/**
 * The node↔gateway link protocol, version 1. Nodes dial out to the gateway's WebSocket
 * (`GET /v1/node/link`); every frame is one JSON text message validated by these schemas.
 *
 * Handshake: gateway `challenge` → node `hello` (Ed25519 signature over the challenge) →
 * gateway `welcome` → node `announce`, `availability` and `rewards`. Then jobs: `job.offer` →
 * `job.accept` | `job.reject`, then `job.chunk`* and `job.done` | `job.error`; `job.cancel`
 * from the gateway at any time; `receipt` after the gateway has accounted a job. A node may
 * also hand back an accepted job that has produced nothing yet with `job.reject` (it is
 * pausing), and the gateway tries another node. When a node dies mid-stream, the gateway
 * may offer the job to another node with `continuation` (the text already streamed), which
 * that node continues; its chunks and usage count only the new text. The field is optional,
 * so the protocol stays version 1; a node built before it strips the unknown field and would
 * answer from scratch, so the gateway must offer continuations only to nodes that support them.
 * The node sends `announce` (new prices), `availability` (paused or serving) and `rewards`
 * again whenever they change; the gateway sends `market` (what the network pays) after
 * welcome and then now and then. Liveness uses WebSocket ping/pong. After a welcome that lists
 * the `receipts.request` feature, a node may ask for the receipts it still waits for
 * (`receipts.request`): the gateway sends each one it has again as `receipt`, and names the
 * rest in `receipts.unknown`. Ids a node gives (models, jobs) hold only {@link SAFE_ID_PATTERN}.
 */
import { z } from 'zod';
import { toolCallDeltaSchema } from './chatDelta.js';
import { chatCompletionRequestSchema } from './openai.js';
import { completionRequestSchema } from './openaiCompletions.js';
import { MAX_EMBEDDING_INPUTS } from './openaiEmbeddings.js';

export const PROTOCOL_VERSION = 1;
/** Frames larger than this close the link with {@link CloseCode.FrameTooLarge}. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
export const LINK_PATH = '/v1/node/link';
/** The most job ids one `receipts.request` (or `receipts.unknown`) carries. */
export const MAX_RECEIPT_REQUEST_IDS = 256;
/**
 * A `welcome` feature: the gateway answers `receipts.request`, so a node can recover the
 * receipts it missed (a gateway crash or a dropped link between a job's end and its receipt).
 */
export const GATEWAY_FEATURE_RECEIPTS_REQUEST = 'receipts.request';
/**
 * The most `receipts.request` frames a node sends after one welcome; the gateway's budget
 * takes that many at once, and a few a minute after.
 */
export const RECEIPT_REQUESTS_PER_LINK = 4;

/** WebSocket close codes (4000–4999 are for applications) with their meaning. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  BadFrame: 4000,
  UnsupportedVersion: 4001,
  UnknownKey: 4002,
  BadSignature: 4003,
  HandshakeTimeout: 4004,
  FrameTooLarge: 4005,
  Replaced: 4006,
  Revoked: 4007,
  UnexpectedFrame: 4008,
  /** The node sent frames faster than its link's budget allows; it may reconnect later. */
  RateLimited: 4009,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

const id = z.string().min(1).max(128);
/**
 * The characters a job id (both ways) and a node-given id (a model id) may hold: letters,
 * digits and `. _ : / @ + -`, so that it is safe in logs, headers and CSV (`org/model:q4` is
 * fine). The gateway's own job ids (`job_<hex>`) always are.
 */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9._:/@+-]{1,128}$/;
/** Longest text one `job.chunk` carries. */
export const MAX_CHUNK_TEXT = 65536;
const safeId = id.regex(SAFE_ID_PATTERN, 'must be 1 to 128 letters, digits or . _ : / @ + -');
const base64 = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9+/=_-]*$/, 'must be base64');
const count = z.number().int().nonnegative();

/** USD per one million tokens. */
export const modelPriceSchema = z.object({
  prompt: z.number().nonnegative().max(1000),
  completion: z.number().nonnegative().max(1000),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/**
 * What a node can do with a model beyond plain chat: `tools` (tool calling), `json_schema`
 * (`response_format` grammars), `embeddings` and `completions` (text completions).
 */
export const MODEL_CAPABILITIES = ['tools', 'json_schema', 'embeddings', 'completions'] as const;
export type ModelCapability = (typeof MODEL_CAPABILITIES)[number];

/** The longest embedding vector a node may send. */
export const MAX_EMBEDDING_SIZE = 16384;

/** What a node offers for one model. */
export const announcedModelSchema = z.object({
  id: safeId,
  price: modelPriceSchema,
  slots: z.number().int().positive().max(1024),
  contextLength: z.number().int().positive(),
  /**
   * What the node can do with it; unknown names are ignored. A node built before this field
   * sends none, and is offered only plain chat and `json_schema`, which it always served.
   */
  capabilities: z.array(z.string().max(32)).max(16).optional(),
  /**
   * The SHA-256 of the model's GGUF file, 64 lowercase hex digits: what the gateway's
   * response cache keys a node model's answers by. Nodes built before it send none, and
   * their answers are not cached.
   */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')
    .optional(),
});
export type AnnouncedModel = z.infer<typeof announcedModelSchema>;

export const jobRejectReasonSchema = z.enum([
  'busy',
  'paused',
  'price',
  'model',
  'invalid',
  'shutting_down',
]);
export type JobRejectReason = z.infer<typeof jobRejectReasonSchema>;

const errorBody = z.object({
  status: z.number().int().min(400).max(599),
  message: z.string().max(4096),
  type: z.string().max(128),
  code: z.string().max(128).nullable(),
  param: z.string().max(256).nullable(),
});

/** The accounted outcome of one job, signed by the gateway (see {@link receiptSigningBytes}). */
export const receiptSchema = z.object({
  jobId: id,
  nodeId: id,
  model: id,
  promptTokens: count,
  completionTokens: count,
  price: modelPriceSchema,
  /** What the client paid, in nano-USD. */
  chargedNanos: count,
  /** The network fee, in nano-USD. */
  feeNanos: count,
  /** What the node's owner earned (charged minus fee), in nano-USD. */
  creditedNanos: count,
  issuedAt: z.string().max(64),
});
export type Receipt = z.infer<typeof receiptSchema>;

/** Spread of one price (USD per 1M tokens) across recent jobs. */
const priceQuartilesSchema = z.object({
  p25: z.number().nonnegative(),
  median: z.number().nonnegative(),
  p75: z.number().nonnegative(),
});
export type PriceQuartiles = z.infer<typeof priceQuartilesSchema>;

/** What the network pays for one model: quartiles of the prices of recent jobs. */
export const marketModelSchema = z.object({
  id,
  prompt: priceQuartilesSchema,
  completion: priceQuartilesSchema,
  /** How many jobs (or, before any job, announcing nodes) the figures come from. */
  samples: count,
});
export type MarketModel = z.infer<typeof marketModelSchema>;

/** What lowered a node's score, as the gateway saw it. */
export const standingIncidentKinds = [
  'offer_rejected',
  'offer_timeout',
  'job_failed',
  'stalled',
  'no_output',
  'malformed_output',
  'went_offline',
] as const;
export type StandingIncidentKind = (typeof standingIncidentKinds)[number];

const share = z.number().min(0).max(1);

/**
 * A node's standing on the network, from what the gateway saw itself: its reliability
 * score (0-100), its rank among the nodes serving its models (1 is best, of `of`), the
 * tokens it served, the parts of its score, and today's (UTC) incidents by kind and model.
 */
export const nodeStandingSchema = z.object({
  score: z.number().int().min(0).max(100),
  rank: z.number().int().positive(),
  of: z.number().int().positive(),
  tokensServed: count,
  parts: z.object({
    acceptance: share,
    completion: share,
    availability: share,
    speed: share,
  }),
  today: z
    .array(z.object({ kind: z.enum(standingIncidentKinds), model: id, count: count }))
    .max(16),
});
export type NodeStandingView = z.infer<typeof nodeStandingSchema>;

/**
 * How a node's earnings are shared, in whole percentages that add up to 100: `rewards` is
 * cash payout, `exchange` network credits to spend on the API, `mission` donated to the
 * provider's chosen cause.
 */
export const rewardSplitSchema = z
  .object({
    rewards: z.number().int().min(0).max(100),
    exchange: z.number().int().min(0).max(100),
    mission: z.number().int().min(0).max(100),
  })
  .refine((split) => split.rewards + split.exchange + split.mission === 100, {
    message: 'rewards, exchange and mission must add up to 100',
  });
export type RewardSplit = z.infer<typeof rewardSplitSchema>;

export const gatewayFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('challenge'),
    v: z.number().int(),
    nonce: base64,
    gatewayPublicKey: base64,
  }),
  z.object({
    type: z.literal('welcome'),
    nodeId: id,
    orgId: id,
    heartbeatMs: z.number().int().positive(),
    /** The network fee in basis points, so the node can foresee its credit. */
    feeBasisPoints: z.number().int().min(0).max(10_000).optional(),
    /**
     * What this gateway understands beyond protocol v1's first release, e.g.
     * {@link GATEWAY_FEATURE_RECEIPTS_REQUEST}. Older gateways send none: a node must not send
     * them a frame they do not know, since an unknown frame closes the link.
     */
    features: z.array(z.string().max(64)).max(32).optional(),
  }),
  z.object({
    type: z.literal('market'),
    models: z.array(marketModelSchema).max(1024),
    /** ISO time the figures were computed. */
    at: z.string().max(64),
    /** This node's standing (additive: older gateways send none, older nodes ignore it). */
    standing: nodeStandingSchema.optional(),
  }),
  z
    .object({
      type: z.literal('job.offer'),
      jobId: safeId,
      /** A chat completion. Exactly one of `request`, `embeddings` and `completion` is set. */
      request: chatCompletionRequestSchema.optional(),
      /** Embeddings of `input` (only to a node that announced the `embeddings` capability). */
      embeddings: z
        .object({
          model: id,
          input: z
            .array(z.union([z.string().min(1), z.array(count).min(1)]))
            .min(1)
            .max(MAX_EMBEDDING_INPUTS),
          /** The vector length the client asked for: the node refuses another. */
          dimensions: z.number().int().positive().max(MAX_EMBEDDING_SIZE).optional(),
        })
        .optional(),
      /** A text completion (only to a node that announced `completions`). */
      completion: completionRequestSchema.optional(),
      price: modelPriceSchema,
      /**
       * The assistant text already sent to the client; continue it. Set when a node died
       * mid-stream and the job fails over; `request.max_tokens` is then the remaining budget.
       */
      continuation: z.object({ text: z.string().max(256 * 1024) }).optional(),
    })
    .check((ctx) => {
      const { request, embeddings, completion } = ctx.value;
      if ([request, embeddings, completion].filter(Boolean).length !== 1) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          path: ['request'],
          message: 'a job offer holds exactly one of request, embeddings and completion',
        });
      }
    }),
  z.object({ type: z.literal('job.cancel'), jobId: safeId, reason: z.string().max(256) }),
  z.object({ type: z.literal('receipt'), receipt: receiptSchema, signature: base64 }),
  /** The answer to `receipts.request` for the jobs this gateway has no receipt of for this node. */
  z.object({
    type: z.literal('receipts.unknown'),
    jobIds: z.array(safeId).max(MAX_RECEIPT_REQUEST_IDS),
  }),
]);
export type GatewayFrame = z.infer<typeof gatewayFrameSchema>;

export const nodeFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    v: z.number().int(),
    publicKey: base64,
    /** Ed25519 signature of {@link challengeSigningBytes}(nonce). */
    signature: base64,
    agent: z.string().max(128),
  }),
  z.object({
    type: z.literal('announce'),
    models: z.array(announcedModelSchema).max(64),
    hardware: z.object({ summary: z.string().max(512), backend: z.string().max(32) }),
    /**
     * What this node can do beyond protocol v1's first release: `continuation` (it continues
     * an offered `job.offer.continuation`). Older nodes send none, and get no continuations.
     */
    features: z.array(z.string().max(64)).max(32).optional(),
  }),
  z.object({
    type: z.literal('availability'),
    /** False while the node's schedule has it paused: offer it nothing. */
    serving: z.boolean(),
    reason: z.string().max(256),
  }),
  z.object({
    type: z.literal('rewards'),
    split: rewardSplitSchema,
    missionCause: z.string().max(128).nullable(),
  }),
  /**
   * Only to a gateway whose `welcome` lists {@link GATEWAY_FEATURE_RECEIPTS_REQUEST}: the jobs
   * whose receipt this node still waits for. The gateway sends each receipt it has again,
   * and names the others in one `receipts.unknown`.
   */
  z.object({
    type: z.literal('receipts.request'),
    jobIds: z.array(safeId).min(1).max(MAX_RECEIPT_REQUEST_IDS),
  }),
  z.object({ type: z.literal('job.accept'), jobId: safeId }),
  z.object({
    type: z.literal('job.reject'),
    jobId: safeId,
    reason: jobRejectReasonSchema,
    message: z.string().max(1024),
  }),
  z.object({
    type: z.literal('job.chunk'),
    jobId: safeId,
    index: count,
    /** Content; empty in a chunk that carries only tool-call fragments. */
    text: z.string().max(MAX_CHUNK_TEXT),
    /** Tool-call fragments, in OpenAI's streaming shape (see common/chatDelta.ts). */
    delta: z.object({ tool_calls: z.array(toolCallDeltaSchema).min(1).max(16) }).optional(),
  }),
  z.object({
    type: z.literal('job.vector'),
    jobId: safeId,
    /** Which input of the offer this embeds. */
    index: z
      .number()
      .int()
      .min(0)
      .max(MAX_EMBEDDING_INPUTS - 1),
    /** Little-endian float32, base64 (as OpenAI's `encoding_format: base64`). */
    vector: z
      .string()
      .max(Math.ceil((MAX_EMBEDDING_SIZE * 4) / 3) + 4)
      .regex(/^[A-Za-z0-9+/=]*$/, 'must be base64'),
  }),
  z.object({
    type: z.literal('job.done'),
    jobId: safeId,
    finishReason: z.enum(['stop', 'length', 'tool_calls']),
    usage: z.object({ promptTokens: count, completionTokens: count }),
    timings: z.object({
      timeToFirstTokenMs: z.number().nonnegative().nullable(),
      durationMs: z.number().nonnegative(),
    }),
  }),
  z.object({ type: z.literal('job.error'), jobId: safeId, error: errorBody }),
]);
export type NodeFrame = z.infer<typeof nodeFrameSchema>;

/** `POST /v1/node/enroll` body: binds a node's public key to the code's organization. */
export const enrollRequestSchema = z.object({
  code: z.string().min(1).max(128),
  publicKey: base64,
  name: z.string().max(128).optional(),
});
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;

export interface EnrollResponse {
  nodeId: string;
  orgId: string;
  /** base64 raw Ed25519 public key that signs receipts */
  gatewayPublicKey: string;
}

/** The bytes a node signs to answer a challenge: bound to the protocol and the nonce. */
export function challengeSigningBytes(nonce: string): Uint8Array {
  return new TextEncoder().encode(`byoi-link-v${PROTOCOL_VERSION}:challenge:${nonce}`);
}

/** The bytes the gateway signs for a receipt: its fields in a fixed order. */
export function receiptSigningBytes(receipt: Receipt): Uint8Array {
  const r = receipt;
  return new TextEncoder().encode(
    [
      `byoi-receipt-v${PROTOCOL_VERSION}`,
      r.jobId,
      r.nodeId,
      r.model,
      r.promptTokens,
      r.completionTokens,
      r.price.prompt,
      r.price.completion,
      r.chargedNanos,
      r.feeNanos,
      r.creditedNanos,
      r.issuedAt,
    ].join('\n'),
  );
}

/**
 * The charge for a job in nano-USD: each part rounded once, so the client's debit is exactly
 * the node's credit plus the fee.
 */
export function priceJob(
  price: ModelPrice,
  promptTokens: number,
  completionTokens: number,
  feeBasisPoints: number,
): { chargedNanos: number; feeNanos: number; creditedNanos: number } {
  // USD per 1M tokens × tokens ÷ 1e6 = USD; × 1e9 for nano-USD: a net factor of 1000.
  const chargedNanos = Math.round(
    price.prompt * promptTokens * 1000 + price.completion * completionTokens * 1000,
  );
  const feeNanos = Math.round((chargedNanos * feeBasisPoints) / 10000);
  return { chargedNanos, feeNanos, creditedNanos: chargedNanos - feeNanos };
}
