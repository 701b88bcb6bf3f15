/**
 * Accounting over the real path: a finished job debits the client's organization, credits
 * the node owner's (charge minus the network fee), sends the node a receipt signed with the
 * gateway key, and a repeated `job.done` never counts twice.
 */
import { createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceJob, receiptSigningBytes, type Receipt } from '../../common/protocol.js';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
const PRICE = { prompt: 3, completion: 7 };

beforeAll(async () => {
  t = await startTestGateway({ feeBasisPoints: 1500 });
});

afterAll(async () => {
  await t?.close();
});

function verifies(publicKey: string, receipt: Receipt, signature: string): boolean {
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey, 'base64').toString('base64url') },
    format: 'jwk',
  });
  return verify(null, receiptSigningBytes(receipt), key, Buffer.from(signature, 'base64'));
}

describe('accounting', () => {
  it('debits the client, credits the node owner minus the fee, and signs a receipt', async () => {
    const { link, nodeId } = await t.connectNode([model('paid', { price: PRICE })]);
    const usage = { promptTokens: 81, completionTokens: 17 }; // within the bounds of "hi" → "x"
    const reply = t.client.chat.completions.create({ model: 'paid', messages: USER });
    const offer = await link.serveNext(['x'], usage);
    expect(offer.price).toEqual(PRICE);
    expect((await reply).usage).toEqual({
      prompt_tokens: 81,
      completion_tokens: 17,
      total_tokens: 98,
    });

    const { receipt, signature } = await link.next('receipt');
    const money = priceJob(PRICE, 81, 17, 1500);
    expect(receipt).toMatchObject({
      jobId: offer.jobId,
      nodeId,
      model: 'paid',
      ...usage,
      price: PRICE,
      ...money,
    });
    expect(money.chargedNanos).toBe(money.creditedNanos + money.feeNanos);
    expect(money.feeNanos).toBe(Math.round(money.chargedNanos * 0.15));
    expect(verifies(t.gateway.publicKey, receipt, signature)).toBe(true);
    expect(
      verifies(
        t.gateway.publicKey,
        { ...receipt, creditedNanos: receipt.creditedNanos + 1 },
        signature,
      ),
    ).toBe(false);

    expect(await t.gateway.store.usageFor(offer.jobId)).toMatchObject({
      orgId: t.clientOrgId,
      apiKeyId: t.apiKeyId,
      nodeId,
      route: 'node',
      model: 'paid',
      ...usage,
      ...money,
    });
    expect(await t.gateway.store.balances(t.clientOrgId)).toMatchObject({
      spentNanos: money.chargedNanos,
    });
    expect(await t.gateway.store.balances(t.nodeOrgId)).toMatchObject({
      earnedNanos: money.creditedNanos,
    });
    link.close();
  });

  it('accounts a repeated job.done once', async () => {
    const before = {
      spent: (await t.gateway.store.balances(t.clientOrgId)).spentNanos,
      earned: (await t.gateway.store.balances(t.nodeOrgId)).earnedNanos,
    };
    const { link } = await t.connectNode([model('twice-done', { price: PRICE })]);
    const usage = { promptTokens: 60, completionTokens: 15 };
    const first = t.client.chat.completions.create({ model: 'twice-done', messages: USER });
    const offer = await link.serveNext(['a'], usage);
    await first;
    await link.next('receipt');
    link.done(offer.jobId, usage); // the node repeats itself

    // A second, real job over the same link: frames are handled in order, so the repeat
    // was handled before this one finished.
    const second = t.client.chat.completions.create({ model: 'twice-done', messages: USER });
    const next = await link.serveNext(['b'], usage);
    await second;
    await link.next('receipt');
    expect(link.pending().filter((frame) => frame.type === 'receipt')).toEqual([]);

    const money = priceJob(PRICE, 60, 15, 1500);
    const after = {
      spent: (await t.gateway.store.balances(t.clientOrgId)).spentNanos,
      earned: (await t.gateway.store.balances(t.nodeOrgId)).earnedNanos,
    };
    expect(after.spent - before.spent).toBe(2 * money.chargedNanos);
    expect(after.earned - before.earned).toBe(2 * money.creditedNanos);
    const rows = await t.gateway.store.listUsage({ orgId: t.clientOrgId });
    expect(rows.filter((row) => row.jobId === offer.jobId)).toHaveLength(1);
    expect(rows.filter((row) => row.jobId === next.jobId)).toHaveLength(1);
    link.close();
  });

  it('charges nothing for a job the node rejected or lost', async () => {
    const before = (await t.gateway.store.balances(t.clientOrgId)).spentNanos;
    const { link } = await t.connectNode([model('unpaid', { price: PRICE })]);
    const reply = t.client.chat.completions.create({ model: 'unpaid', messages: USER });
    const offer = await link.next('job.offer');
    link.send({ type: 'job.reject', jobId: offer.jobId, reason: 'price', message: 'too cheap' });
    await expect(reply).rejects.toMatchObject({ status: 503 });
    expect((await t.gateway.store.balances(t.clientOrgId)).spentNanos).toBe(before);
    expect(await t.gateway.store.usageFor(offer.jobId)).toBeNull();
    link.close();
  });
});
