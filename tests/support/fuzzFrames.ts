/**
 * Random and malformed link-protocol frames for the fuzz tests, drawn with fast-check from a
 * fixed seed (override with FUZZ_SEED) so that a failure can be replayed.
 */
import fc from 'fast-check';
import { gatewayFrameSchema, type GatewayFrame } from '../../common/protocol.js';
import { PRICE, request } from './standInGateway.js';

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_601);

/** A text frame, or a Buffer for a binary one. */
export type RawFrame = string | Buffer;

const sample = <T>(arb: fc.Arbitrary<T>, numRuns: number, salt: number): T[] =>
  fc.sample(arb, { numRuns, seed: FUZZ_SEED + salt });

const TYPES = ['hello', 'announce', 'job.accept', 'job.reject', 'job.chunk', 'job.done'].concat([
  'job.error',
  'challenge',
  'welcome',
  'job.offer',
  'job.cancel',
  'receipt',
]);
const FIELDS = [
  'jobId',
  'index',
  'text',
  'models',
  'hardware',
  'reason',
  'message',
  'usage',
].concat(['timings', 'error', 'v', 'publicKey', 'signature', 'agent', 'price', 'request']);

const hugeNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, 2 ** 64, -0, 5e-324, -1),
  fc.double(),
  fc.bigInt().map((n) => n * 10n ** 30n),
);
const anyValue = fc.oneof(fc.jsonValue(), hugeNumber, fc.string({ unit: 'binary' }));
/** Valid JSON text for `value`, with bigints written as huge number literals. */
const toJson = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `#${v}#` : v)).replace(
    /"#(-?\d+)#"/g,
    '$1',
  );

const id = fc.string({ minLength: 1, maxLength: 40 });
const count = fc.oneof(fc.nat(), hugeNumber);
/** Node frames of the right shape, for jobs no one offered (the gateway ignores these). */
const nodeShaped = fc.oneof(
  fc.record({ type: fc.constant('job.accept'), jobId: id }),
  fc.record({ type: fc.constant('job.chunk'), jobId: id, index: count, text: fc.string() }),
  fc.record({
    type: fc.constant('job.done'),
    jobId: id,
    finishReason: fc.constantFrom('stop', 'length'),
    usage: fc.record({ promptTokens: count, completionTokens: count }),
    timings: fc.record({ timeToFirstTokenMs: fc.constant(null), durationMs: count }),
  }),
  fc.record({
    type: fc.constant('job.reject'),
    jobId: id,
    reason: fc.constantFrom('busy', 'price', 'model', 'nonsense'),
    message: fc.string(),
  }),
  fc.record({
    type: fc.constant('announce'),
    models: fc.array(
      fc.record({
        id,
        price: fc.record({ prompt: hugeNumber, completion: fc.nat(2000) }),
        slots: fc.integer({ min: -1, max: 2000 }),
        contextLength: count,
      }),
      { maxLength: 3 },
    ),
    hardware: fc.record({ summary: fc.string(), backend: fc.string() }),
  }),
);
/** Known or unknown types with random, mostly wrongly typed fields. */
const wrongFields = fc
  .tuple(
    fc.oneof(fc.constantFrom(...TYPES), fc.string(), anyValue),
    fc.dictionary(fc.constantFrom(...FIELDS), anyValue),
  )
  .map(([type, fields]) => toJson({ ...fields, type }));
const truncated = fc
  .tuple(nodeShaped.map(toJson), fc.nat())
  .map(([text, cut]) => text.slice(0, cut % text.length));

/** Everything a misbehaving node might send, as text or binary frames. */
export function nodeFuzzFrames(n: number, salt = 0): RawFrame[] {
  const frame: fc.Arbitrary<RawFrame> = fc.oneof(
    { arbitrary: nodeShaped.map(toJson), weight: 4 },
    { arbitrary: wrongFields, weight: 3 },
    { arbitrary: fc.jsonValue().map(toJson), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 300 }), weight: 1 },
    { arbitrary: truncated, weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)), weight: 1 },
    {
      arbitrary: hugeNumber.map((x) => toJson({ type: 'job.chunk', jobId: x, index: x })),
      weight: 1,
    },
  );
  return sample(frame, n, salt);
}

const base64 = fc
  .uint8Array({ minLength: 0, maxLength: 96 })
  .map((b) => Buffer.from(b).toString('base64'));
const price = fc.record({ prompt: fc.integer({ min: 1, max: 1000 }), completion: fc.nat(1000) });
const otherId = id.map((s) => `x-${s}`);
/** Job ids the protocol allows (see SAFE_ID_PATTERN), for offers and cancels. */
const otherJobId = fc.stringMatching(/^[A-Za-z0-9._:/@+-]{1,40}$/).map((s) => `x-${s}`);
/**
 * Gateway frames that pass the schema but make no sense to the node: cancels of unknown jobs,
 * receipts with bad signatures, offers of unknown models, at wrong prices, while busy, or
 * reusing the running job's id `busyJobId`.
 */
export function nonsenseGatewayFrames(n: number, busyJobId: string): GatewayFrame[] {
  const frame: fc.Arbitrary<unknown> = fc.oneof(
    fc.record({
      type: fc.constant('job.cancel'),
      jobId: otherJobId,
      reason: fc.string({ maxLength: 200 }),
    }),
    fc.record({
      type: fc.constant('receipt'),
      receipt: fc.record({
        jobId: otherId,
        nodeId: fc.oneof(fc.constant('node-1'), otherId),
        model: fc.oneof(fc.constant('tiny'), otherId),
        promptTokens: fc.nat(),
        completionTokens: fc.nat(),
        price,
        chargedNanos: fc.nat(),
        feeNanos: fc.nat(),
        creditedNanos: fc.nat(),
        issuedAt: fc.string({ maxLength: 64 }),
      }),
      signature: base64,
    }),
    fc.tuple(otherJobId, otherId).map(([jobId, model]) => ({
      type: 'job.offer',
      jobId,
      request: request(1, model),
      price: PRICE,
    })),
    fc
      .tuple(otherJobId, price)
      .map(([jobId, p]) => ({ type: 'job.offer', jobId, request: request(1), price: p })),
    otherJobId.map((jobId) => ({ type: 'job.offer', jobId, request: request(1), price: PRICE })),
    fc.constant({ type: 'job.offer', jobId: busyJobId, request: request(1), price: PRICE }),
  );
  return sample(frame, n, 1).flatMap((f) => {
    const parsed = gatewayFrameSchema.safeParse(f);
    return parsed.success ? [parsed.data] : [];
  });
}

/** Text frames the node must refuse (none of them is a valid gateway frame). */
export function malformedGatewayFrames(n: number): string[] {
  const frame = fc.oneof(
    wrongFields,
    fc.jsonValue().map(toJson),
    fc.string({ unit: 'binary' }),
    truncated,
  );
  return sample(frame, n * 4, 2)
    .filter((text) => {
      try {
        return !gatewayFrameSchema.safeParse(JSON.parse(text)).success;
      } catch {
        return true;
      }
    })
    .slice(0, n);
}
