/**
 * The SHA-256 a node announces for a model file reaches the gateway over a real link, and
 * its node route names that model's backing by it (none for a model announced without one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backingOf } from '../../gateway/policy/cacheKey.js';
import { model } from './support/standInNode.js';
import { startTestGateway, type TestGateway } from './support/testGateway.js';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

describe('an announced model hash', () => {
  it('is kept by the gateway where the node route reads it', async () => {
    const sha256 = '0123456789abcdef'.repeat(4);
    const { nodeId } = await t.connectNode([model('hashed', { sha256 }), model('plain')]);
    const route = t.gateway.router.routes().find((candidate) => candidate.nodeId === nodeId);
    expect(route).toBeDefined();
    expect(backingOf(route!, 'hashed')).toBe(`gguf:${sha256}`);
    expect(backingOf(route!, 'plain')).toBeNull();
  });
});
