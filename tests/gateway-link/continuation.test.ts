/**
 * A stream that breaks on a node after its first token is continued on another node: the
 * offer carries the text already sent and the remaining budget, the client sees one stream
 * with one id and one usage total, and each node is credited for what it produced.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualTimers } from '../support/manualTimers.js';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});

afterAll(async () => {
  await t?.close();
});

describe('continuing a broken stream', () => {
  it('continues on another node when a node goes silent mid-stream, and cancels the silent job', async () => {
    const timers = new ManualTimers();
    const quick = await startTestGateway({ stallTimeoutMs: 15_000, clock: timers.clock() });
    try {
      const silent = await quick.connectNode([
        model('stall', { price: { prompt: 1, completion: 1 } }),
      ]);
      const other = await quick.connectNode([
        model('stall', { price: { prompt: 2, completion: 2 } }),
      ]);
      const reply = quick.client.chat.completions.create({
        model: 'stall',
        messages: USER,
        max_tokens: 8,
      });
      const offer = await silent.link.acceptNext();
      silent.link.chunks(offer.jobId, ['Once', ' upon']);
      await silent.link.sync(); // the gateway has both chunks: the stall deadline runs
      // Then nothing: the gateway gives up on it, tells it so, and hands the rest on.
      await timers.advance(15_000);
      const cancel = await silent.link.next('job.cancel');
      expect(cancel).toMatchObject({ jobId: offer.jobId, reason: 'stalled' });
      const continued = await other.link.acceptNext();
      expect(continued.continuation).toEqual({ text: 'Once upon' });
      other.link.chunks(continued.jobId, [' a time']);
      other.link.done(continued.jobId, { promptTokens: 9, completionTokens: 2 });
      expect((await reply).choices[0]!.message.content).toBe('Once upon a time');
    } finally {
      await quick.close();
    }
  });

  it('offers the rest to another node and bills each node for its own tokens', async () => {
    const first = await t.connectNode([model('cont', { price: { prompt: 1, completion: 2 } })]);
    const second = await t.connectNode([model('cont', { price: { prompt: 3, completion: 4 } })]);
    const opening = t.client.chat.completions.create({
      model: 'cont',
      messages: USER,
      max_tokens: 10,
      stream: true,
      stream_options: { include_usage: true },
    });
    const offer = await first.link.acceptNext();
    expect(offer.continuation).toBeUndefined();
    first.link.chunks(offer.jobId, ['Once', ' upon', ' a']);
    const stream = await opening;
    const iterator = stream[Symbol.asyncIterator]();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    const textOf = () => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    // Everything the first node sent has reached the client: the failure comes after output.
    while (textOf() !== 'Once upon a') chunks.push((await iterator.next()).value);
    first.link.ws.terminate();

    const continued = await second.link.acceptNext();
    expect(continued.continuation).toEqual({ text: 'Once upon a' });
    expect(continued.request!.max_tokens).toBe(7);
    expect(continued.request!.messages).toEqual(offer.request!.messages);
    second.link.chunks(continued.jobId, [' time', '.']);
    second.link.done(continued.jobId, { promptTokens: 12, completionTokens: 2 });

    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      chunks.push(next.value);
    }
    const ids = new Set(chunks.map((chunk) => chunk.id));
    expect(ids.size).toBe(1);
    expect(textOf()).toBe('Once upon a time.');
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 5,
      total_tokens: 14,
    });

    const rows = await t.gateway.store.listUsage({ orgId: t.clientOrgId });
    const mine = rows.filter((row) => row.requestId === [...ids][0]);
    const byNode = Object.fromEntries(mine.map((row) => [row.nodeId, row]));
    expect(byNode[first.nodeId]).toMatchObject({ promptTokens: 9, completionTokens: 3 });
    expect(byNode[second.nodeId]).toMatchObject({ promptTokens: 0, completionTokens: 2 });
    const sum = (pick: (row: (typeof mine)[number]) => number) =>
      mine.reduce((total, row) => total + pick(row), 0);
    expect(sum((row) => row.chargedNanos)).toBe(sum((row) => row.creditedNanos + row.feeNanos));
    expect(byNode[first.nodeId]!.creditedNanos).toBeGreaterThan(0);
    expect(byNode[second.nodeId]!.creditedNanos).toBeGreaterThan(0);
  });

  it('ends the stream with the SSE error event when no node can continue it, and charges nothing', async () => {
    const only = await t.connectNode([model('alone')]);
    const response = t.post('/v1/chat/completions', {
      model: 'alone',
      messages: USER,
      stream: true,
    });
    const offer = await only.link.acceptNext();
    only.link.chunks(offer.jobId, ['half']);
    only.link.ws.terminate();
    const text = await (await response).text();
    const events = text.split('\n\n').filter((event) => event.startsWith('data: '));
    expect(JSON.parse(events.at(-1)!.slice(6))).toMatchObject({
      error: { code: 'node_disconnected' },
    });
    // A request that ended in an error costs the client nothing, and earns the node nothing.
    // (Its ledger writes were issued before the stream ended, so this read sees them.)
    expect(await t.gateway.store.usageFor(offer.jobId)).toMatchObject({
      outcome: 'error',
      completionTokens: 0,
      chargedNanos: 0,
      creditedNanos: 0,
    });
  });

  it('does not continue on a node that never said it can, nor a structured reply', async () => {
    const broken = await t.connectNode([model('old')]);
    const older = await t.connectNode([model('old', { price: { prompt: 5, completion: 5 } })]);
    await older.link.announce([model('old', { price: { prompt: 5, completion: 5 } })], []);
    const lastEvent = async (body: object, node: typeof broken) => {
      const response = t.post('/v1/chat/completions', {
        model: 'old',
        messages: USER,
        stream: true,
        ...body,
      });
      const offer = await node.link.acceptNext();
      node.link.chunks(offer.jobId, ['{"a":']);
      node.link.ws.terminate();
      const events = (await (await response).text())
        .split('\n\n')
        .filter((e) => e.startsWith('data: '));
      return JSON.parse(events.at(-1)!.slice(6));
    };
    expect(await lastEvent({}, broken)).toMatchObject({ error: { code: 'node_disconnected' } });
    expect(older.link.pending().filter((frame) => frame.type === 'job.offer')).toEqual([]);

    const fresh = await t.connectNode([model('json')]);
    const spare = await t.connectNode([model('json', { price: { prompt: 5, completion: 5 } })]);
    const response = t.post('/v1/chat/completions', {
      model: 'json',
      messages: USER,
      stream: true,
      response_format: { type: 'json_object' },
    });
    const offer = await fresh.link.acceptNext();
    fresh.link.chunks(offer.jobId, ['{"a":']);
    fresh.link.ws.terminate();
    const events = (await (await response).text())
      .split('\n\n')
      .filter((e) => e.startsWith('data: '));
    expect(JSON.parse(events.at(-1)!.slice(6))).toMatchObject({
      error: { code: 'node_disconnected' },
    });
    expect(spare.link.pending().filter((frame) => frame.type === 'job.offer')).toEqual([]);
  });
});
