/**
 * Answers a node's `receipts.request`: the receipts it missed (the gateway crashed, or the
 * link dropped, between a job's end and its receipt) are rebuilt from the usage ledger and
 * signed again. Only the asking node's own jobs count: another node's job is answered as
 * unknown, exactly like a job id that was never accounted, so nothing about it leaks.
 */
import type { Logger } from '../../common/log.js';
import type { Receipt } from '../../common/protocol.js';
import type { GatewayStore } from '../store/types.js';
import { reissueReceipt, type SignedReceipt } from './receipts.js';
import type { ReceiptSigner } from './signingKey.js';

/** What to send back: the receipts found, and the job ids with none for this node. */
export interface ReceiptResend {
  receipts: SignedReceipt[];
  unknown: string[];
}

/**
 * Looks up each job id (each once, in the order asked) in the store's usage ledger. A job
 * counts only when its row is a node job served by `nodeId`.
 */
export async function findReceipts(
  store: Pick<GatewayStore, 'usageFor'>,
  signer: ReceiptSigner,
  nodeId: string,
  jobIds: readonly string[],
): Promise<ReceiptResend> {
  const result: ReceiptResend = { receipts: [], unknown: [] };
  // One at a time: a request is bounded (256 ids), and this keeps the store's load even.
  for (const jobId of new Set(jobIds)) {
    const row = await store.usageFor(jobId);
    if (row && row.route === 'node' && row.nodeId === nodeId) {
      result.receipts.push(reissueReceipt(row, signer));
    } else {
      result.unknown.push(jobId);
    }
  }
  return result;
}

/** The link a request came over, as far as answering it goes (a NodeSession). */
export interface ReceiptRequester {
  readonly nodeId: string;
  readonly isOnline: boolean;
  sendReceipt(receipt: Receipt, signature: string): void;
  sendReceiptsUnknown(jobIds: string[]): void;
}

/**
 * Answers one `receipts.request`: each receipt found goes out as the `receipt` frame first
 * sent, then the rest in one `receipts.unknown` (none when every job was found). A store
 * failure is logged and answered with nothing: the node asks again on its next link.
 */
export async function answerReceiptsRequest(
  node: ReceiptRequester,
  jobIds: readonly string[],
  deps: { store: Pick<GatewayStore, 'usageFor'>; signer: ReceiptSigner; logger: Logger },
): Promise<void> {
  let found: ReceiptResend;
  try {
    found = await findReceipts(deps.store, deps.signer, node.nodeId, jobIds);
  } catch (error) {
    deps.logger.error('receipts.request not answered', {
      nodeId: node.nodeId,
      error: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  if (!node.isOnline) return;
  for (const { receipt, signature } of found.receipts) node.sendReceipt(receipt, signature);
  if (found.unknown.length > 0) node.sendReceiptsUnknown(found.unknown);
  deps.logger.info('receipts sent again', {
    nodeId: node.nodeId,
    found: found.receipts.length,
    unknown: found.unknown.length,
  });
}
