/**
 * An in-process gateway (in-memory store, port 0) with an organization for clients, one for
 * node owners, an API key, and helpers that bring stand-in nodes online. The market interval
 * is as long as a timer allows unless a test sets it: tests refresh the market explicitly.
 */
import OpenAI from 'openai';
import type { AnnouncedModel, GatewayFrame } from '../../../common/protocol.js';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../../gateway/server.js';
import { LinkClient, NodeIdentity } from './standInNode.js';

export interface TestGateway {
  gateway: RunningGateway;
  clientOrgId: string;
  nodeOrgId: string;
  apiKey: string;
  apiKeyId: string;
  client: OpenAI;
  /** Enrolls a new identity through HTTP with a fresh code. */
  enroll(): Promise<{ identity: NodeIdentity; nodeId: string }>;
  /**
   * Enrolls (unless given an identity), connects, completes the handshake and announces, then
   * takes the `market` frame the gateway sends after the first announce.
   */
  connectNode(
    models: AnnouncedModel[],
    identity?: NodeIdentity,
  ): Promise<{
    link: LinkClient;
    identity: NodeIdentity;
    nodeId: string;
    welcome: WelcomeFrame;
    market: MarketFrame;
  }>;
  /** `fetch` on the gateway with the client's key. */
  post(path: string, body: unknown, key?: string | null): Promise<Response>;
  close(): Promise<void>;
}

type MarketFrame = Extract<GatewayFrame, { type: 'market' }>;
type WelcomeFrame = Extract<GatewayFrame, { type: 'welcome' }>;

/** The longest interval a Node timer takes: no market refresh unless a test asks. */
const NO_MARKET_TICKS = 2 ** 31 - 1;

export async function startTestGateway(
  options: Partial<GatewayOptions> = {},
): Promise<TestGateway> {
  const gateway = await startGateway({
    dataDir: null,
    port: 0,
    marketIntervalMs: NO_MARKET_TICKS,
    ...options,
  });
  const { store } = gateway;
  const clientOrg = await store.createOrg('clients');
  const nodeOrg = await store.createOrg('providers');
  const { key, info } = await store.createApiKey(clientOrg.id, 'test');
  const links: LinkClient[] = [];

  const enroll = async () => {
    const identity = NodeIdentity.create();
    const { code } = await store.createEnrollmentCode(nodeOrg.id);
    const { status, body } = await identity.enroll(gateway.url, code);
    if (status !== 200) throw new Error(`enroll failed: ${status} ${JSON.stringify(body)}`);
    return { identity, nodeId: body.nodeId };
  };

  return {
    gateway,
    clientOrgId: clientOrg.id,
    nodeOrgId: nodeOrg.id,
    apiKey: key,
    apiKeyId: info.id,
    client: new OpenAI({ baseURL: gateway.baseURL, apiKey: key, maxRetries: 0 }),
    enroll,
    async connectNode(models, given) {
      const { identity, nodeId } = given
        ? { identity: given, nodeId: (await store.nodeByPublicKey(given.publicKey))!.id }
        : await enroll();
      const link = await LinkClient.open(gateway.linkUrl);
      links.push(link);
      await link.hello(identity);
      const welcome = await link.next('welcome');
      await link.announce(models);
      const market = await link.next('market');
      return { link, identity, nodeId, welcome, market };
    },
    post: (path, body, auth = key) =>
      fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(auth === null ? {} : { authorization: `Bearer ${auth}` }),
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async close() {
      links.forEach((link) => link.close());
      await gateway.close();
    },
  };
}

export const USER = [{ role: 'user' as const, content: 'hi' }];
