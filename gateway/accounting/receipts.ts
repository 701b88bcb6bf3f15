/**
 * Turns a finished node job into money and a signed receipt: the client is debited the
 * charge, the node's owner is credited the charge minus the network fee, and each job id
 * is accounted at most once.
 */
import {
  priceJob,
  receiptSchema,
  receiptSigningBytes,
  type ModelPrice,
  type Receipt,
} from '../../common/protocol.js';
import type { GatewayStore, NewUsageRecord, UsageRecord } from '../store/types.js';
import type { ReceiptSigner } from './signingKey.js';

/** What was served for one job, as metered by the gateway. */
export interface JobUsage {
  jobId: string;
  nodeId: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  /** The node's price for the model, USD per million tokens. */
  price: ModelPrice;
}

/** Who pays for a job: the API key that sent it and that key's organization. */
export interface JobPayer {
  orgId: string;
  apiKeyId: string;
}

/** What the usage row says of the client request a job served (see {@link NewUsageRecord}). */
export type RequestFacts = Pick<
  NewUsageRecord,
  'requestId' | 'timeToFirstTokenMs' | 'latencyMs' | 'attempts' | 'outcome' | 'routes'
>;

/** A receipt with the gateway's base64 Ed25519 signature of {@link receiptSigningBytes}. */
export interface SignedReceipt {
  receipt: Receipt;
  signature: string;
}

/** The largest network fee: 10,000 basis points is 100 %. */
export const MAX_FEE_BASIS_POINTS = 10_000;

/**
 * Prices the job with {@link priceJob} (so charged = credited + fee exactly) and signs the
 * receipt. Throws for a fee outside 0–10,000 basis points or a job the protocol cannot carry.
 */
export function issueReceipt(
  job: JobUsage,
  feeBasisPoints: number,
  signer: ReceiptSigner,
  issuedAt: Date = new Date(),
): SignedReceipt {
  if (
    !Number.isInteger(feeBasisPoints) ||
    feeBasisPoints < 0 ||
    feeBasisPoints > MAX_FEE_BASIS_POINTS
  ) {
    throw new RangeError(
      `The network fee must be 0 to ${MAX_FEE_BASIS_POINTS} basis points, got ${feeBasisPoints}`,
    );
  }
  const money = priceJob(job.price, job.promptTokens, job.completionTokens, feeBasisPoints);
  return signReceipt(
    {
      jobId: job.jobId,
      nodeId: job.nodeId,
      model: job.model,
      promptTokens: job.promptTokens,
      completionTokens: job.completionTokens,
      price: { prompt: job.price.prompt, completion: job.price.completion },
      ...money,
      issuedAt: issuedAt.toISOString(),
    },
    signer,
  );
}

/**
 * The signed receipt of a job already accounted, rebuilt from its usage row (see
 * {@link usageFromReceipt}): the same fields, so the same bytes and (Ed25519 being
 * deterministic) the same signature as the receipt first sent. Throws for a row that is not
 * a node job's.
 */
export function reissueReceipt(row: UsageRecord, signer: ReceiptSigner): SignedReceipt {
  if (row.nodeId === null || row.route !== 'node') {
    throw new Error(`Job '${row.jobId}' was not served by a node: it has no receipt`);
  }
  return signReceipt(
    {
      jobId: row.jobId,
      nodeId: row.nodeId,
      model: row.model,
      promptTokens: row.promptTokens,
      completionTokens: row.completionTokens,
      price: { prompt: row.price.prompt, completion: row.price.completion },
      chargedNanos: row.chargedNanos,
      feeNanos: row.feeNanos,
      creditedNanos: row.creditedNanos,
      issuedAt: row.createdAt,
    },
    signer,
  );
}

/** Checks a receipt against the protocol's schema and signs {@link receiptSigningBytes}. */
function signReceipt(fields: Receipt, signer: ReceiptSigner): SignedReceipt {
  const parsed = receiptSchema.safeParse(fields);
  if (!parsed.success) {
    // A plain Error, not the ZodError: this is our bug or the node's, never the client's 400.
    const issue = parsed.error.issues[0];
    throw new Error(
      `Cannot issue a receipt for job '${fields.jobId}': ${issue?.path.join('.')} ${issue?.message}`,
    );
  }
  const receipt = parsed.data;
  return { receipt, signature: signer.sign(receiptSigningBytes(receipt)) };
}

/** The ledger row for a receipt: route 'node', paid by `payer`, written at `issuedAt`. */
export function usageFromReceipt(receipt: Receipt, payer: JobPayer): NewUsageRecord {
  return {
    jobId: receipt.jobId,
    orgId: payer.orgId,
    apiKeyId: payer.apiKeyId,
    nodeId: receipt.nodeId,
    route: 'node',
    model: receipt.model,
    promptTokens: receipt.promptTokens,
    completionTokens: receipt.completionTokens,
    price: receipt.price,
    chargedNanos: receipt.chargedNanos,
    feeNanos: receipt.feeNanos,
    creditedNanos: receipt.creditedNanos,
    createdAt: receipt.issuedAt,
  };
}

/**
 * Accounts a finished node job once: records the usage (debit and credit) and returns the
 * signed receipt to send to the node, or null when this job id was already accounted (then
 * nothing changes).
 */
export async function settleJob(
  store: GatewayStore,
  signer: ReceiptSigner,
  job: JobUsage & JobPayer,
  feeBasisPoints: number,
  issuedAt: Date = new Date(),
  request: RequestFacts = {},
): Promise<SignedReceipt | null> {
  const signed = issueReceipt(job, feeBasisPoints, signer, issuedAt);
  const recorded = await store.recordUsage({
    ...usageFromReceipt(signed.receipt, job),
    ...request,
  });
  return recorded ? signed : null;
}
