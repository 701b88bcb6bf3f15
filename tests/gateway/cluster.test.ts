/**
 * The cluster's pieces: shared secrets (first start wins, concurrent starts agree), the
 * instance registry (heartbeats, links, stale instances ignored and swept, relay routes for
 * the router), the shared upstream health lease, and the relay endpoint's authentication.
 */
import { backingOf } from '../../gateway/policy/cacheKey.js';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { createPublicKey, verify } from 'node:crypto';
import { ClusterRegistry, STALE_BEATS } from '../../gateway/cluster/clusterRegistry.js';
import {
  clusterSecretMatches,
  registerRelayEndpoint,
} from '../../gateway/cluster/relayEndpoint.js';
import { RELAY_PATH } from '../../gateway/cluster/relayRoute.js';
import { sharedHealthCheck } from '../../gateway/cluster/sharedHealth.js';
import { loadSharedIdentity } from '../../gateway/cluster/sharedIdentity.js';
import { Router } from '../../gateway/routing/router.js';
import type { ClusterLink } from '../../gateway/store/cluster.js';
import type { GatewayStore } from '../../gateway/store/types.js';
import type { UpstreamRoute } from '../../gateway/upstream/upstreamRoute.js';
import { OpenRequests } from '../../gateway/api/openRequests.js';
import { describeBackends } from '../support/storeBackends.js';
import { nodePublicKey } from './helpers.js';
import { ManualTimers } from '../support/manualTimers.js';

const link = (nodeId: string, model: string): ClusterLink => ({
  nodeId,
  ownerOrgId: 'org_1',
  models: [{ id: model, price: { prompt: 1, completion: 2 }, capabilities: ['json_schema'] }],
});

describeBackends((backend) => {
  it('stores each secret once: concurrent first starts agree on one identity', async () => {
    const store = await backend.open();
    try {
      const [a, b] = await Promise.all([loadSharedIdentity(store), loadSharedIdentity(store)]);
      expect(b.signer.publicKey).toBe(a.signer.publicKey);
      expect(b.admin.token).toBe(a.admin.token);
      expect(b.clusterSecret).toBe(a.clusterSecret);
      const bytes = Buffer.from('receipt');
      const key = createPublicKey({
        key: Buffer.concat([
          Buffer.from('302a300506032b6570032100', 'hex'),
          Buffer.from(a.signer.publicKey, 'base64'),
        ]),
        format: 'der',
        type: 'spki',
      });
      expect(verify(null, bytes, key, Buffer.from(b.signer.sign(bytes), 'base64'))).toBe(true);
      // An explicit admin token still wins.
      expect((await loadSharedIdentity(store, 'given')).admin.token).toBe('given');
    } finally {
      await store.close();
    }
  });

  it('lists live instances with their links, ignores stale ones and sweeps them', async () => {
    let wall = Date.parse('2026-01-01T00:00:00Z');
    const store = await backend.open({ now: () => new Date(wall) });
    try {
      await store.clusterBeat('a', 'http://a', 3000);
      await store.clusterBeat('b', 'http://b', 3000);
      await store.clusterSetLinks('a', [link('n1', 'alpha')]);
      await store.clusterSetLinks('b', [link('n2', 'beta'), link('n3', 'beta')]);
      await store.clusterSetLinks('ghost', [link('n9', 'x')]); // never beat: records nothing
      const peers = await store.clusterPeers(3000);
      expect(peers.map((peer) => [peer.id, peer.links.map((l) => l.nodeId)])).toEqual([
        ['a', ['n1']],
        ['b', ['n2', 'n3']],
      ]);
      expect(peers[1]!.links[0]).toEqual(link('n2', 'beta'));

      wall += 2000;
      await store.clusterBeat('a', 'http://a', 3000);
      wall += 1500; // b is silent for 3.5 s now
      expect((await store.clusterPeers(3000)).map((peer) => peer.id)).toEqual(['a']);
      expect(await store.clusterBeat('a', 'http://a', 3000)).toBe(false); // sweeps b and its links
      expect(await store.clusterBeat('b', 'http://b', 3000)).toBe(true); // b must record them again
      expect((await store.clusterPeers(3000)).find((peer) => peer.id === 'b')!.links).toEqual([]);

      await store.clusterSetLinks('a', []);
      await store.clusterLeave('b');
      expect(await store.clusterPeers(3000)).toEqual([
        { id: 'a', relayUrl: 'http://a', heartbeatAt: new Date(wall).toISOString(), links: [] },
      ]);
    } finally {
      await store.close();
    }
  });

  it('checks each provider once per interval across instances; the others read the result', async () => {
    let wall = Date.parse('2026-01-01T00:00:00Z');
    const store = await backend.open({ now: () => new Date(wall) });
    try {
      let checks = 0;
      const check = async () => {
        checks++;
        return { ok: false, error: 'HTTP 500', latencyMs: 7 };
      };
      const route = { id: 'P' } as UpstreamRoute;
      const one = sharedHealthCheck(store, 'a', 10_000, check);
      const two = sharedHealthCheck(store, 'b', 10_000, check);
      expect(await one(route, 1000)).toEqual({ ok: false, error: 'HTTP 500', latencyMs: 7 });
      expect(await two(route, 1000)).toEqual({ ok: false, error: 'HTTP 500', latencyMs: 7 });
      expect(checks).toBe(1);
      wall += 10_000;
      await Promise.all([one(route, 1000), two(route, 1000)]);
      expect(checks).toBe(2);
      expect((await store.sharedHealth('P'))!.checkedAt).toBe(new Date(wall).toISOString());
    } finally {
      await store.close();
    }
  });
});

describe('the instance registry', () => {
  it('beats, and turns the nodes other instances hold into relay routes', async () => {
    const store = await (await import('../../gateway/store/pgliteStore.js')).openStore(null);
    const timers = new ManualTimers();
    const router = new Router({ faultStore: store, logger: silentLogger });
    const registry = (id: string) =>
      new ClusterRegistry({
        store,
        router,
        instanceId: id,
        secret: 's',
        heartbeatMs: 1000,
        logger: silentLogger,
        timers,
      });
    const here = registry('here');
    try {
      await store.clusterBeat('there', 'http://there', 3000);
      const sha256 = 'ab'.repeat(32);
      const hashed = link('n2', 'beta');
      hashed.models[0]!.sha256 = sha256;
      await store.clusterSetLinks('there', [hashed]);
      await here.start('http://here');
      expect(router.onlineModels()).toEqual(['beta']);
      expect(here.relayRoutes().map((route) => [route.id, route.label])).toEqual([
        ['relay:n2', 'relay'],
      ]);
      expect(router.worstPrice('org_1', 'beta')).toEqual({ prompt: 1, completion: 2 });
      // The cache keys a relayed answer by the file the remote node serves.
      expect(backingOf(here.relayRoutes()[0]!, 'beta')).toBe(`gguf:${sha256}`);
      expect(timers.armed).toEqual([[1000, true]]);

      // 'there' stops beating: after STALE_BEATS beats it is ignored.
      await timers.advance(1000 * STALE_BEATS + 1);
      expect(router.onlineModels()).toEqual(['beta']); // the store's clock did not move
      await store.clusterLeave('there');
      await timers.advance(1000);
      expect(router.onlineModels()).toEqual([]);
    } finally {
      await here.close();
      expect(timers.armed).toEqual([]);
      expect((await store.clusterPeers(3000)).map((peer) => peer.id)).toEqual([]);
      await store.close();
    }
  });
});

describe('changes made on other instances', () => {
  it('a quarantine, its clearing and a key revocation reach this instance at its next beat', async () => {
    const store = await (await import('../../gateway/store/pgliteStore.js')).openStore(null);
    const timers = new ManualTimers();
    const router = new Router({ faultStore: store, logger: silentLogger });
    const openRequests = new OpenRequests();
    const here = new ClusterRegistry({
      store,
      router,
      instanceId: 'here',
      secret: 's',
      heartbeatMs: 1000,
      logger: silentLogger,
      timers,
      openRequests,
    });
    try {
      const org = await store.createOrg('o');
      const { info } = await store.createApiKey(org.id, 'k');
      const { code } = await store.createEnrollmentCode(org.id);
      const node = await store.enrollNode(code, nodePublicKey(), 'n');
      await here.start('http://here');
      const ended: string[] = [];
      openRequests.open(info.id, (error) => ended.push(error.message));

      // Another instance quarantines the node and revokes the key.
      await store.recordNodeFault(node.id, 'usage_over_report', 'over-reported', 1);
      await store.revokeApiKey(info.id);
      expect(router.standing.isQuarantined(node.id)).toBe(false);
      await timers.advance(1000);
      expect(router.standing.isQuarantined(node.id)).toBe(true);
      expect(ended).toEqual(['The API key was revoked while this request was running']);

      await store.clearNodeFaults(node.id);
      await timers.advance(1000);
      expect(router.standing.isQuarantined(node.id)).toBe(false);
    } finally {
      await here.close();
      await store.close();
    }
  });
});

describe('the relay endpoint', () => {
  it('compares the cluster secret in constant time and refuses anything else', () => {
    expect(clusterSecretMatches('Bearer s3cret', 's3cret')).toBe(true);
    expect(clusterSecretMatches('Bearer s3cre', 's3cret')).toBe(false);
    expect(clusterSecretMatches('s3cret', 's3cret')).toBe(false);
    expect(clusterSecretMatches(undefined, 's3cret')).toBe(false);
    expect(clusterSecretMatches('Bearer ', '')).toBe(false);
  });

  it('answers 401 without the secret and an OpenAI-shaped 400 for a bad body', async () => {
    const app = Fastify();
    app.setErrorHandler((error: { status?: number; toBody?: () => unknown }, _request, reply) => {
      void reply.status(error.status ?? 500).send(error.toBody?.() ?? {});
    });
    const store = {} as GatewayStore;
    const router = {} as Router;
    registerRelayEndpoint(app, {
      store,
      router,
      signer: { publicKey: '', sign: () => '' },
      feeBasisPoints: 0,
      logger: silentLogger,
      secret: 'right',
    });
    try {
      const post = (authorization: string | undefined, body: unknown) =>
        app.inject({
          method: 'POST',
          url: RELAY_PATH,
          headers: authorization ? { authorization } : {},
          payload: body as Record<string, unknown>,
        });
      const none = await post(undefined, {});
      expect(none.statusCode).toBe(401);
      expect(none.json()).toMatchObject({ error: { code: 'invalid_cluster_secret' } });
      expect((await post('Bearer wrong', {})).statusCode).toBe(401);
      const bad = await post('Bearer right', { nodeId: 'n1', kind: 'chat' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
      const badTask = await post('Bearer right', {
        nodeId: 'n1',
        orgId: 'org_1',
        apiKeyId: null,
        kind: 'chat',
        request: { model: 'm' },
      });
      expect(badTask.statusCode).toBe(400);
    } finally {
      await app.close();
    }
  });
});
