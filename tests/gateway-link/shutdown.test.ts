/**
 * Closing the gateway: node links close with 1001, a stream in flight ends with an SSE
 * error event rather than a silent cut, and the store is closed last.
 */
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../common/protocol.js';
import { model } from './support/standInNode.js';
import { startTestGateway, USER } from './support/testGateway.js';

describe('gateway shutdown', () => {
  it('closes node links with 1001 and ends streams in flight with an error event', async () => {
    const t = await startTestGateway();
    const { link } = await t.connectNode([model('m')]);
    const response = t.post('/v1/chat/completions', { model: 'm', messages: USER, stream: true });
    const offer = await link.acceptNext();
    link.chunks(offer.jobId, ['half']);
    await link.sync();

    const closing = t.gateway.close();
    expect(await link.closed).toMatchObject({ code: CloseCode.GoingAway });
    const text = await (await response).text();
    expect(text).toContain('"content":"half"');
    expect(text.trimEnd().split('\n\n').at(-1)).toMatch(/^data: \{"error":/);
    expect(text).not.toContain('[DONE]');
    await closing;
    await expect(t.gateway.store.listOrgs()).rejects.toThrow();
  });
});
