/**
 * A stand-in gateway for link tests: a real `ws` WebSocketServer on port 0 at LINK_PATH that
 * speaks protocol v1 by hand. Every frame the node sends is checked against the schemas.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { chatCompletionRequestSchema } from '../../common/openai.js';
import {
  challengeSigningBytes,
  enrollRequestSchema,
  LINK_PATH,
  nodeFrameSchema,
  PROTOCOL_VERSION,
  receiptSigningBytes,
  type GatewayFrame,
  type ModelPrice,
  type NodeFrame,
  type Receipt,
} from '../../common/protocol.js';

export const PRICE: ModelPrice = { prompt: 0.1, completion: 0.2 };
const gatewayKeys = generateKeyPairSync('ed25519');
/** The stand-in's receipt-signing key, base64 raw. */
export const GATEWAY_KEY = Buffer.from(
  gatewayKeys.publicKey.export({ format: 'jwk' }).x ?? '',
  'base64url',
).toString('base64');

/** Signs a receipt as the stand-in gateway. */
export function signReceipt(receipt: Receipt): string {
  return sign(null, receiptSigningBytes(receipt), gatewayKeys.privateKey).toString('base64');
}

export type Frame<T extends NodeFrame['type']> = Extract<NodeFrame, { type: T }>;

/** A chat request for the tiny model, greedy. */
export const request = (maxTokens: number, model = 'tiny') =>
  chatCompletionRequestSchema.parse({
    model,
    messages: [{ role: 'user', content: 'tell me a story' }],
    max_tokens: maxTokens,
    temperature: 0,
  });

/** One node connection as the stand-in gateway sees it; every node frame is schema-checked. */
export class Peer {
  readonly frames: NodeFrame[] = [];
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(nodeFrameSchema.parse(JSON.parse(String(data))));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** The first frame (past or future) of `type` that matches. */
  async frame<T extends NodeFrame['type']>(type: T, match: (f: Frame<T>) => boolean = () => true) {
    for (;;) {
      const found = this.frames.find((f): f is Frame<T> => f.type === type && match(f as Frame<T>));
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  send(frame: GatewayFrame | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * Challenge → hello (signature checked with node:crypto) → welcome (listing `features`,
   * when given) → announce.
   */
  async handshake(heartbeatMs = 60_000, features?: string[]) {
    const nonce = randomBytes(32).toString('base64');
    this.send({ type: 'challenge', v: PROTOCOL_VERSION, nonce, gatewayPublicKey: GATEWAY_KEY });
    const hello = await this.frame('hello');
    const nodeKey = createPublicKey({
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        x: Buffer.from(hello.publicKey, 'base64').toString('base64url'),
      },
      format: 'jwk',
    });
    const signature = Buffer.from(hello.signature, 'base64');
    expect(verify(null, challengeSigningBytes(nonce), nodeKey, signature)).toBe(true);
    expect(verify(null, challengeSigningBytes('other'), nodeKey, signature)).toBe(false);
    this.send({
      type: 'welcome',
      nodeId: 'node-1',
      orgId: 'org-1',
      heartbeatMs,
      ...(features ? { features } : {}),
    });
    return { hello, announce: await this.frame('announce') };
  }

  offer(jobId: string, maxTokens: number, price = PRICE, model = 'tiny'): void {
    this.send({ type: 'job.offer', jobId, request: request(maxTokens, model), price });
  }
}

/** What the stand-in answers to `POST /v1/node/enroll`. */
export type EnrollHandler = (body: unknown) => { status: number; body: unknown };

/** Enrolls every well-formed request as node-1 of org-1. */
export const acceptEnrollment: EnrollHandler = (body) =>
  enrollRequestSchema.safeParse(body).success
    ? { status: 200, body: { nodeId: 'node-1', orgId: 'org-1', gatewayPublicKey: GATEWAY_KEY } }
    : {
        status: 400,
        body: { error: { message: 'bad enrollment request', type: 'invalid_request_error' } },
      };

/**
 * The stand-in gateway: an HTTP server on port 0 that answers `POST /v1/node/enroll`, with a
 * WebSocketServer at LINK_PATH.
 */
export class StandIn {
  readonly peers: Peer[] = [];
  private waiters: (() => void)[] = [];
  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    /** Bodies of the enrollment requests received. */
    readonly enrollments: unknown[],
  ) {
    wss.on('connection', (ws) => {
      this.peers.push(new Peer(ws));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** With `autoPong` false, pings from the node go unanswered. */
  static async start(
    options: { autoPong?: boolean; enroll?: EnrollHandler } = {},
  ): Promise<StandIn> {
    const enroll = options.enroll ?? acceptEnrollment;
    const enrollments: unknown[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/node/enroll') {
          res.writeHead(404).end();
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        enrollments.push(body);
        const answer = enroll(body);
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      });
    });
    const wss = new WebSocketServer({
      server,
      path: LINK_PATH,
      autoPong: options.autoPong ?? true,
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new StandIn(server, wss, enrollments);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The `index`-th connection (0 first), once it is made. */
  async peer(index: number): Promise<Peer> {
    while (!this.peers[index]) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.peers[index];
  }

  async close(): Promise<void> {
    for (const peer of this.peers) peer.ws.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
