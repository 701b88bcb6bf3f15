/**
 * A stand-in node for the gateway tests: a real WebSocket client that speaks the link
 * protocol with a real Ed25519 key, scripted by the test (accept, stream, reject, hand back,
 * pause, share its rewards, vanish).
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import WebSocket from 'ws';
import {
  challengeSigningBytes,
  PROTOCOL_VERSION,
  type AnnouncedModel,
  type EnrollResponse,
  type GatewayFrame,
  type RewardSplit,
} from '../../../common/protocol.js';

type FrameOf<T extends GatewayFrame['type']> = Extract<GatewayFrame, { type: T }>;

/** A node's key pair. */
export class NodeIdentity {
  readonly publicKey: string;

  private constructor(private readonly privateKey: KeyObject) {
    const jwk = privateKey.export({ format: 'jwk' });
    this.publicKey = Buffer.from(jwk.x!, 'base64url').toString('base64');
  }

  static create(): NodeIdentity {
    return new NodeIdentity(generateKeyPairSync('ed25519').privateKey);
  }

  sign(bytes: Uint8Array): string {
    return sign(null, bytes, this.privateKey).toString('base64');
  }

  /** `POST /v1/node/enroll`; returns the status and the JSON body. */
  async enroll(gatewayUrl: string, code: string, name = 'stand-in') {
    const response = await fetch(`${gatewayUrl}/v1/node/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, publicKey: this.publicKey, name }),
    });
    return { status: response.status, body: (await response.json()) as EnrollResponse & object };
  }
}

/** One link to the gateway, with every frame it received queued in order. */
export class LinkClient {
  private readonly frames: GatewayFrame[] = [];
  private readonly waiters: { type: string; resolve: (frame: GatewayFrame) => void }[] = [];
  private answeringPings = true;
  /** Pings received since the node went silent (see {@link goSilent}). */
  pingsWhileSilent = 0;
  /** Resolves with the close code and reason, whoever closed. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    ws.on('error', () => undefined);
    // Pongs are sent by hand, so that a test can make the node go silent at a chosen moment.
    ws.on('ping', (data) => {
      if (this.answeringPings) ws.pong(data);
      else this.pingsWhileSilent++;
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as GatewayFrame;
      const waiter = this.waiters.find((candidate) => candidate.type === frame.type);
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      } else this.frames.push(frame);
    });
  }

  static async open(linkUrl: string): Promise<LinkClient> {
    const ws = new WebSocket(linkUrl, { autoPong: false });
    const client = new LinkClient(ws);
    await once(ws, 'open');
    return client;
  }

  /** Stops answering pings, as a node whose process hangs or whose network died. */
  goSilent(): void {
    this.answeringPings = false;
  }

  /** The next frame of `type` (queued or future). */
  next<T extends GatewayFrame['type']>(type: T): Promise<FrameOf<T>> {
    const index = this.frames.findIndex((frame) => frame.type === type);
    if (index >= 0) return Promise.resolve(this.frames.splice(index, 1)[0] as FrameOf<T>);
    return new Promise((resolve) =>
      this.waiters.push({ type, resolve: (frame) => resolve(frame as FrameOf<T>) }),
    );
  }

  /** Frames received and not yet taken with {@link next}. */
  pending(): GatewayFrame[] {
    return [...this.frames];
  }

  /** Sends a frame: an object as JSON text, a string as is, a Buffer as a binary frame. */
  send(frame: object | string | Buffer): void {
    const raw = typeof frame === 'string' || Buffer.isBuffer(frame);
    this.ws.send(raw ? frame : JSON.stringify(frame));
  }

  /** Answers the challenge; `override` forges parts of the hello. */
  async hello(
    identity: NodeIdentity,
    override: { signature?: string; v?: number; publicKey?: string } = {},
  ) {
    const challenge = await this.next('challenge');
    const signature = identity.sign(challengeSigningBytes(challenge.nonce));
    this.send({
      type: 'hello',
      v: PROTOCOL_VERSION,
      publicKey: identity.publicKey,
      signature,
      agent: 'stand-in/1',
      ...override,
    });
    return { challenge, signature };
  }

  /**
   * Resolves once the gateway has handled every frame sent before: it answers a ping only
   * after the frames ahead of it, and handles each frame synchronously.
   */
  async sync(): Promise<void> {
    const pong = once(this.ws, 'pong');
    this.ws.ping();
    await pong;
  }

  /** Announces `models` with the features today's node has (pass [] for an older node). */
  async announce(models: AnnouncedModel[], features = ['continuation']): Promise<void> {
    this.send({
      type: 'announce',
      models,
      hardware: { summary: 'stand-in', backend: 'cpu' },
      features,
    });
    await this.sync();
  }

  /** Says the node is serving or paused, and waits until the gateway has taken it. */
  async availability(serving: boolean, reason = serving ? 'schedule: on' : 'schedule: off') {
    this.send({ type: 'availability', serving, reason });
    await this.sync();
  }

  /** Says how the node's earnings are shared, and waits until the gateway has taken it. */
  async rewards(split: RewardSplit, missionCause: string | null = null): Promise<void> {
    this.send({ type: 'rewards', split, missionCause });
    await this.sync();
  }

  /** Hands back an accepted job that has produced nothing, as a node that is pausing. */
  handBack(jobId: string): void {
    this.send({ type: 'job.reject', jobId, reason: 'paused', message: 'pausing' });
  }

  /** Takes the next offer and accepts it. */
  async acceptNext(): Promise<FrameOf<'job.offer'>> {
    const offer = await this.next('job.offer');
    this.send({ type: 'job.accept', jobId: offer.jobId });
    return offer;
  }

  chunks(jobId: string, texts: string[], from = 0): void {
    texts.forEach((text, index) =>
      this.send({ type: 'job.chunk', jobId, index: from + index, text }),
    );
  }

  /** Tool-call fragments as one `job.chunk` (no text). */
  toolCalls(jobId: string, deltas: object[], index = 0): void {
    this.send({ type: 'job.chunk', jobId, index, text: '', delta: { tool_calls: deltas } });
  }

  done(
    jobId: string,
    usage = { promptTokens: 7, completionTokens: 2 },
    durationMs = 100,
    finishReason: 'stop' | 'length' | 'tool_calls' = 'stop',
  ): void {
    this.send({
      type: 'job.done',
      jobId,
      finishReason,
      usage,
      timings: { timeToFirstTokenMs: 1, durationMs },
    });
  }

  /** Accepts the next offer and serves it completely. */
  async serveNext(
    texts: string[],
    usage = { promptTokens: 7, completionTokens: texts.length },
    durationMs = 100,
  ): Promise<FrameOf<'job.offer'>> {
    const offer = await this.acceptNext();
    this.chunks(offer.jobId, texts);
    this.done(offer.jobId, usage, durationMs);
    return offer;
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close();
    }
  }
}

/** A model announcement with defaults. */
export function model(id: string, overrides: Partial<AnnouncedModel> = {}): AnnouncedModel {
  return {
    id,
    price: { prompt: 1, completion: 2 },
    slots: 2,
    contextLength: 2048,
    ...overrides,
  };
}
