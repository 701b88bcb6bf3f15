/** Checking the gateway's signature on a receipt, before the ledger takes it. */
import { receiptSigningBytes, type Receipt } from '../../../common/protocol.js';
import { verifyEd25519 } from './identity.js';

/** Whether `signature` is the gateway's signature of `receipt`. */
export function verifyReceipt(
  receipt: Receipt,
  signature: string,
  gatewayPublicKey: string,
): boolean {
  return verifyEd25519(gatewayPublicKey, receiptSigningBytes(receipt), signature);
}
