import {
  priceJob,
  receiptSchema,
  receiptSigningBytes,
  type ModelPrice,
} from '../../common/protocol.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyEd25519 } from '../../gateway/accounting/ed25519.js';
import { findReceipts } from '../../gateway/accounting/receiptResend.js';
import {
  issueReceipt,
  reissueReceipt,
  settleJob,
  type JobUsage,
} from '../../gateway/accounting/receipts.js';
import { loadOrCreateSigningKey } from '../../gateway/accounting/signingKey.js';
import { openStore } from '../../gateway/store/pgliteStore.js';
import type { GatewayStore } from '../../gateway/store/types.js';
import { balances, nodePublicKey } from './helpers.js';

const signer = loadOrCreateSigningKey(null);
const job = (price: ModelPrice, promptTokens: number, completionTokens: number): JobUsage => ({
  jobId: 'job-1',
  nodeId: 'node_abc',
  model: 'tiny',
  promptTokens,
  completionTokens,
  price,
});

describe('issueReceipt', () => {
  const prices: ModelPrice[] = [
    { prompt: 0, completion: 0 },
    { prompt: 0.1, completion: 0.3 },
    { prompt: 0.15, completion: 0.6 },
    { prompt: 2.5, completion: 10 },
    { prompt: 0.000001, completion: 0.0000033 },
    { prompt: 1000, completion: 1000 },
  ];
  const tokens: [number, number][] = [
    [0, 0],
    [1, 0],
    [0, 1],
    [7, 13],
    [4096, 2048],
    [1_000_000, 333_333],
  ];
  const fees = [0, 1, 250, 1_000, 3_333, 9_999, 10_000];

  it('debits exactly the credit plus the fee, in whole nanos, over a table of jobs', () => {
    let cases = 0;
    for (const price of prices) {
      for (const [prompt, completion] of tokens) {
        for (const fee of fees) {
          const { receipt } = issueReceipt(job(price, prompt, completion), fee, signer);
          expect(receipt.chargedNanos).toBe(receipt.creditedNanos + receipt.feeNanos);
          for (const n of [receipt.chargedNanos, receipt.feeNanos, receipt.creditedNanos]) {
            expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
          }
          expect(receipt).toMatchObject(priceJob(price, prompt, completion, fee));
          cases++;
        }
      }
    }
    expect(cases).toBe(prices.length * tokens.length * fees.length);
  });

  it('prices known cases to the nano', () => {
    // 1000 × $0.15/M + 500 × $0.60/M = $0.00045 = 450,000 nanos; 5 % fee = 22,500.
    const { receipt } = issueReceipt(
      job({ prompt: 0.15, completion: 0.6 }, 1000, 500),
      500,
      signer,
    );
    expect(receipt).toMatchObject({
      chargedNanos: 450_000,
      feeNanos: 22_500,
      creditedNanos: 427_500,
    });
    const all = issueReceipt(job({ prompt: 1, completion: 1 }, 1, 1), 10_000, signer).receipt;
    expect(all).toMatchObject({ chargedNanos: 2_000, feeNanos: 2_000, creditedNanos: 0 });
  });

  it('signs a receipt the node can parse and verify, and tampering breaks it', () => {
    const issuedAt = new Date('2030-05-06T07:08:09.000Z');
    const { receipt, signature } = issueReceipt(
      job({ prompt: 1, completion: 2 }, 10, 20),
      100,
      signer,
      issuedAt,
    );
    expect(receiptSchema.parse(receipt)).toEqual(receipt);
    expect(receipt.issuedAt).toBe(issuedAt.toISOString());
    expect(verifyEd25519(signer.publicKey, receiptSigningBytes(receipt), signature)).toBe(true);
    for (const tampered of [
      { ...receipt, creditedNanos: receipt.creditedNanos + 1 },
      { ...receipt, completionTokens: 21 },
      { ...receipt, nodeId: 'node_other' },
      { ...receipt, price: { prompt: 1, completion: 2.5 } },
    ]) {
      expect(verifyEd25519(signer.publicKey, receiptSigningBytes(tampered), signature)).toBe(false);
    }
  });

  it('refuses fees outside 0–10,000 basis points and jobs the protocol cannot carry', () => {
    const ok = job({ prompt: 1, completion: 1 }, 1, 1);
    expect(() => issueReceipt(ok, -1, signer)).toThrow(/0 to 10000 basis points/);
    expect(() => issueReceipt(ok, 10_001, signer)).toThrow(RangeError);
    expect(() => issueReceipt(ok, 2.5, signer)).toThrow(RangeError);
    expect(() => issueReceipt({ ...ok, promptTokens: -3 }, 0, signer)).toThrow(
      /Cannot issue a receipt/,
    );
    expect(() => issueReceipt({ ...ok, jobId: '' }, 0, signer)).toThrow(/Cannot issue a receipt/);
  });
});

describe('settleJob', () => {
  let store: GatewayStore;
  beforeAll(async () => {
    store = await openStore(null);
  });
  afterAll(() => store.close());

  it('records the job once, debiting the client and crediting the node owner', async () => {
    const client = await store.createOrg('Client');
    const owner = await store.createOrg('Owner');
    const { info } = await store.createApiKey(client.id, 'k');
    const node = await store.enrollNode(
      (await store.createEnrollmentCode(owner.id)).code,
      nodePublicKey(),
      'n',
    );
    const input = {
      ...job({ prompt: 0.15, completion: 0.6 }, 1000, 500),
      jobId: 'job-settle',
      nodeId: node.id,
      orgId: client.id,
      apiKeyId: info.id,
    };
    const signed = await settleJob(store, signer, input, 500);
    expect(signed).not.toBeNull();
    expect(
      verifyEd25519(signer.publicKey, receiptSigningBytes(signed!.receipt), signed!.signature),
    ).toBe(true);
    expect(await store.usageFor('job-settle')).toMatchObject({
      route: 'node',
      apiKeyId: info.id,
      nodeId: node.id,
      chargedNanos: 450_000,
      feeNanos: 22_500,
      creditedNanos: 427_500,
      createdAt: signed!.receipt.issuedAt,
    });
    expect(await settleJob(store, signer, input, 500)).toBeNull();
    expect(await store.balances(client.id)).toEqual(balances(450_000, 0));
    expect(await store.balances(owner.id)).toEqual(balances(0, 427_500));
  });

  it('rebuilds the very receipt and signature from the stored row, for its own node only', async () => {
    const client = await store.createOrg('Client 2');
    const owner = await store.createOrg('Owner 2');
    const { info } = await store.createApiKey(client.id, 'k');
    const enroll = async () =>
      store.enrollNode((await store.createEnrollmentCode(owner.id)).code, nodePublicKey(), 'n');
    const [node, other] = [await enroll(), await enroll()];
    // Awkward figures: the row's floats and times must give back the exact signed bytes.
    const input = {
      ...job({ prompt: 0.000001, completion: 0.0000033 }, 4097, 333),
      jobId: 'job-reissue',
      nodeId: node.id,
      orgId: client.id,
      apiKeyId: info.id,
    };
    const signed = await settleJob(store, signer, input, 3_333, new Date(1_700_000_000_123));
    const row = (await store.usageFor('job-reissue'))!;
    expect(reissueReceipt(row, signer)).toEqual(signed);
    expect(await findReceipts(store, signer, node.id, ['job-reissue', 'nope'])).toEqual({
      receipts: [signed],
      unknown: ['nope'],
    });
    expect(await findReceipts(store, signer, other.id, ['job-reissue'])).toEqual({
      receipts: [],
      unknown: ['job-reissue'],
    });
    expect(() => reissueReceipt({ ...row, nodeId: null }, signer)).toThrow(/not served by a node/);
  });
});
