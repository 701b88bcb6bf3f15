/**
 * Each node's reliability score, from what this gateway saw itself (never from what a node
 * claims): offers it accepted, jobs it finished against jobs that failed or stalled, time
 * online, and its time to first token against the other nodes serving the same model. The
 * router uses the score as a tie-break among routes of similar price; each node is told its
 * own standing in the `market` frame.
 */
import type { NodeStandingView, StandingIncidentKind } from '../../common/protocol.js';

/**
 * The score of a node the gateway knows nothing about yet: a new node starts below a proven
 * one and above a failing one.
 */
export const NEW_NODE_SCORE = 80;

/** Pseudo-counts each ratio starts from, so that one early job does not swing a new node. */
const PRIOR = { accepted: 4, offers: 5, finished: 4, ended: 5 } as const;
/** How much each part weighs in the score (they add up to 1). */
const WEIGHTS = { acceptance: 0.3, completion: 0.45, availability: 0.15, speed: 0.1 } as const;
/** Incidents kept per node (the latest ones), for the node's "what lowers it". */
const MAX_INCIDENTS = 64;
/** Weight of the newest time to first token in its moving average. */
const TTFT_ALPHA = 0.3;

interface Incident {
  kind: StandingIncidentKind;
  model: string;
  at: number;
}

interface NodeRecord {
  offers: number;
  accepted: number;
  finished: number;
  failed: number;
  tokens: number;
  firstSeen: number;
  onlineMs: number;
  onlineSince: number | null;
  ttftMs: Map<string, number>;
  incidents: Incident[];
}

/** The parts of a score, each 0 to 1. */
export interface ScoreParts {
  acceptance: number;
  completion: number;
  availability: number;
  speed: number;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
const startOfUtcDay = (ms: number) => ms - (ms % 86_400_000);

export class NodeScores {
  private readonly nodes = new Map<string, NodeRecord>();
  /** Moves on every observation, so that a cache of scores knows it went stale. */
  version = 0;

  constructor(readonly now: () => number = Date.now) {}

  private record(nodeId: string): NodeRecord {
    this.version++;
    let record = this.nodes.get(nodeId);
    if (!record) {
      record = {
        offers: 0,
        accepted: 0,
        finished: 0,
        failed: 0,
        tokens: 0,
        firstSeen: this.now(),
        onlineMs: 0,
        onlineSince: null,
        ttftMs: new Map(),
        incidents: [],
      };
      this.nodes.set(nodeId, record);
    }
    return record;
  }

  private incident(record: NodeRecord, kind: StandingIncidentKind, model: string): void {
    record.incidents.push({ kind, model, at: this.now() });
    if (record.incidents.length > MAX_INCIDENTS) record.incidents.shift();
  }

  /** The node's link came up. */
  online(nodeId: string): void {
    const record = this.record(nodeId);
    record.onlineSince ??= this.now();
  }

  /** The node's link went down. */
  offline(nodeId: string): void {
    const record = this.nodes.get(nodeId);
    if (!record || record.onlineSince === null) return;
    record.onlineMs += this.now() - record.onlineSince;
    record.onlineSince = null;
  }

  /** The node accepted an offer. */
  accepted(nodeId: string): void {
    const record = this.record(nodeId);
    record.offers++;
    record.accepted++;
  }

  /**
   * The node refused an offer or let it time out. A `busy` refusal is not counted: the
   * gateway offered more than the node's free slots, which is no fault of the node's.
   */
  refused(nodeId: string, model: string, kind: 'offer_rejected' | 'offer_timeout'): void {
    const record = this.record(nodeId);
    record.offers++;
    this.incident(record, kind, model);
  }

  /** The node's first output came `ms` after the offer. */
  firstToken(nodeId: string, model: string, ms: number): void {
    const ttft = this.record(nodeId).ttftMs;
    const previous = ttft.get(model);
    ttft.set(model, previous === undefined ? ms : previous + TTFT_ALPHA * (ms - previous));
  }

  /** A job the node accepted finished, with `tokens` billed (bounded by what was relayed). */
  finished(nodeId: string, tokens: number): void {
    const record = this.record(nodeId);
    record.finished++;
    record.tokens += Math.max(0, Math.floor(tokens));
  }

  /** A job the node accepted failed or stalled on the node's side. */
  failed(nodeId: string, model: string, kind: StandingIncidentKind): void {
    const record = this.record(nodeId);
    record.failed++;
    this.incident(record, kind, model);
  }

  /** Lifetime tokens the node served through this gateway. */
  tokensServed(nodeId: string): number {
    return this.nodes.get(nodeId)?.tokens ?? 0;
  }

  /** The parts of the node's score; `peers` are the other nodes' ids, for the speed part. */
  parts(nodeId: string, peers: readonly string[] = []): ScoreParts {
    const record = this.nodes.get(nodeId);
    if (!record) return { acceptance: 0.8, completion: 0.8, availability: 1, speed: 1 };
    const now = this.now();
    const acceptance = (record.accepted + PRIOR.accepted) / (record.offers + PRIOR.offers);
    const completion =
      (record.finished + PRIOR.finished) / (record.finished + record.failed + PRIOR.ended);
    const online = record.onlineMs + (record.onlineSince === null ? 0 : now - record.onlineSince);
    const known = now - record.firstSeen;
    const availability = known <= 0 ? 1 : clamp(online / known, 0, 1);
    return { acceptance, completion, availability, speed: this.speed(record, peers) };
  }

  /**
   * Speed: for each model with a measured first token, the peers' median against this node's
   * time, within 0.5 to 1 (being faster than the median earns nothing more, and a slow node
   * loses at most half of this part), averaged; 1 with nothing to compare.
   */
  private speed(record: NodeRecord, peers: readonly string[]): number {
    const ratios: number[] = [];
    for (const [model, own] of record.ttftMs) {
      const others = peers
        .map((id) => this.nodes.get(id)?.ttftMs.get(model))
        .filter((ms): ms is number => ms !== undefined)
        .sort((a, b) => a - b);
      if (others.length === 0 || own <= 0) continue;
      const median = others[Math.floor(others.length / 2)]!;
      ratios.push(clamp(median / own, 0.5, 1));
    }
    return ratios.length ? ratios.reduce((a, b) => a + b, 0) / ratios.length : 1;
  }

  /** The score, 0 to 100 (whole points). */
  score(nodeId: string, peers: readonly string[] = []): number {
    if (!this.nodes.has(nodeId)) return NEW_NODE_SCORE;
    const parts = this.parts(nodeId, peers);
    const sum =
      WEIGHTS.acceptance * parts.acceptance +
      WEIGHTS.completion * parts.completion +
      WEIGHTS.availability * parts.availability +
      WEIGHTS.speed * parts.speed;
    return Math.round(clamp(sum, 0, 1) * 100);
  }

  /**
   * What node `nodeId` is told: its score, its rank among `peers` (the nodes serving one of
   * its models, itself included), its lifetime tokens, and today's incidents (UTC) by kind.
   */
  standing(nodeId: string, peers: readonly string[]): NodeStandingView {
    const others = peers.filter((id) => id !== nodeId);
    const score = this.score(nodeId, others);
    const scores = others.map((id) =>
      this.score(
        id,
        peers.filter((peer) => peer !== id),
      ),
    );
    const today = startOfUtcDay(this.now());
    const counts = new Map<string, { kind: StandingIncidentKind; model: string; count: number }>();
    for (const incident of this.nodes.get(nodeId)?.incidents ?? []) {
      if (incident.at < today) continue;
      const key = `${incident.kind}\u0000${incident.model}`;
      const entry = counts.get(key) ?? { kind: incident.kind, model: incident.model, count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
    const parts = this.parts(nodeId, others);
    return {
      score,
      rank: 1 + scores.filter((other) => other > score).length,
      of: others.length + 1,
      tokensServed: this.tokensServed(nodeId),
      parts: {
        acceptance: round2(parts.acceptance),
        completion: round2(parts.completion),
        availability: round2(parts.availability),
        speed: round2(parts.speed),
      },
      today: [...counts.values()].slice(0, 16),
    };
  }
}

const round2 = (value: number) => Math.round(value * 100) / 100;
