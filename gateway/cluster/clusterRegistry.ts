/**
 * This instance's place in a cluster of gateways on one PostgreSQL: it records itself
 * (id, relay URL) with a heartbeat every `heartbeatMs`, records the nodes it holds now and
 * what they serve (again whenever a node links, announces, pauses, resumes or leaves), and
 * turns the nodes the other live instances hold into relay routes for the router. An
 * instance silent for {@link STALE_BEATS} beats is ignored, and its rows swept by whoever
 * beats next. Each beat also takes what other instances changed: quarantines made or
 * cleared, keys revoked (their open requests here end), nodes revoked (their links here
 * close). There is no leader.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../common/log.js';
import { CloseCode } from '../../common/protocol.js';
import type { OpenRequests } from '../api/openRequests.js';
import {
  realTimers,
  unrefTimeout,
  type TimerHandle,
  type Timers,
} from '../../common/node/timers.js';
import { NodeRoute } from '../routing/nodeRoute.js';
import type { Router } from '../routing/router.js';
import type { ClusterLink, ClusterStore } from '../store/cluster.js';
import { RelayRoute, type RelayTarget } from './relayRoute.js';

/** Beats an instance may miss before the others ignore it. */
export const STALE_BEATS = 3;

/** A new instance id. */
export const newInstanceId = (): string => `gw_${randomBytes(8).toString('hex')}`;

export interface ClusterRegistryOptions {
  store: ClusterStore;
  router: Router;
  instanceId: string;
  /** The cluster secret relay routes authenticate with. */
  secret: string;
  heartbeatMs: number;
  logger: Logger;
  timers?: Timers;
  /** Requests open here, which a key revoked on another instance ends. */
  openRequests?: OpenRequests;
}

/** The nodes `router` holds now, as the cluster records them. */
export function localLinks(router: Router): ClusterLink[] {
  const links: ClusterLink[] = [];
  for (const route of router.routes()) {
    if (!(route instanceof NodeRoute) || !route.session.serving) continue;
    if (router.standing.isQuarantined(route.nodeId)) continue;
    const models = route.session.announcedModels().flatMap((model) => {
      const price = route.priceFor(model.id);
      return price
        ? [
            {
              id: model.id,
              price,
              capabilities: model.capabilities ?? ['json_schema'],
              ...(model.sha256 ? { sha256: model.sha256 } : {}),
            },
          ]
        : [];
    });
    if (models.length > 0)
      links.push({ nodeId: route.nodeId, ownerOrgId: route.ownerOrgId, models });
  }
  return links;
}

export class ClusterRegistry {
  private readonly timers: Timers;
  private timer: TimerHandle | null = null;
  private relayUrl: string | null = null;
  private readonly relays = new Map<string, RelayRoute>();
  private linksDirty = true;
  private syncing: Promise<void> | null = null;
  private again = false;
  private closed = false;
  /** The relay routes last logged, to log only changes. */
  private relaySummary = '';

  constructor(private readonly options: ClusterRegistryOptions) {
    this.timers = options.timers ?? realTimers;
  }

  get instanceId(): string {
    return this.options.instanceId;
  }

  /** How long after its last beat an instance counts as gone. */
  get staleMs(): number {
    return this.options.heartbeatMs * STALE_BEATS;
  }

  /** Registers this instance at `relayUrl` and starts beating. */
  async start(relayUrl: string): Promise<void> {
    this.relayUrl = relayUrl;
    this.options.router.onLinksChanged = () => this.linksChanged();
    await this.sync();
    this.options.logger.info('cluster instance registered', {
      instanceId: this.instanceId,
      relayUrl,
    });
  }

  /** A node linked, announced, paused, resumed or left: record it soon. */
  linksChanged(): void {
    this.linksDirty = true;
    if (this.relayUrl !== null) void this.sync();
  }

  /** Runs one beat now (or once more after the one under way). */
  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.syncing = this.beat()
      .catch((error: unknown) =>
        this.options.logger.warn('cluster heartbeat failed', {
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => {
        this.syncing = null;
        if (this.closed) return;
        if (this.again) {
          this.again = false;
          void this.sync();
        } else {
          this.timer = unrefTimeout(this.timers, () => void this.sync(), this.options.heartbeatMs);
        }
      });
    return this.syncing;
  }

  private async beat(): Promise<void> {
    if (this.closed || this.relayUrl === null) return;
    const { store, instanceId } = this.options;
    // Swept while it stalled, this instance lost its links with its row.
    if (await store.clusterBeat(instanceId, this.relayUrl, this.staleMs)) this.linksDirty = true;
    if (this.linksDirty) {
      this.linksDirty = false;
      try {
        await store.clusterSetLinks(instanceId, localLinks(this.options.router));
      } catch (error) {
        this.linksDirty = true;
        throw error;
      }
    }
    const peers = await store.clusterPeers(this.staleMs);
    if (this.closed) return;
    await this.takeChanges();
    this.setRelays(
      peers
        .filter((peer) => peer.id !== instanceId)
        .flatMap((peer) =>
          peer.links.map((link) => ({
            instanceId: peer.id,
            relayUrl: peer.relayUrl,
            nodeId: link.nodeId,
            ownerOrgId: link.ownerOrgId,
            models: link.models,
          })),
        ),
    );
  }

  /** Quarantines and revocations made on other instances apply here too. */
  private async takeChanges(): Promise<void> {
    const { store, router, openRequests, logger } = this.options;
    const changes = await store.clusterChanges(
      openRequests?.keyIds() ?? [],
      router.online().map((session) => session.nodeId),
    );
    if (this.closed) return;
    if (router.standing.replace(changes.quarantined).length > 0) {
      this.linksDirty = true;
      this.again = true;
      router.capacityChanged();
    }
    for (const keyId of changes.revokedKeys) {
      const ended = openRequests?.keyRevoked(keyId) ?? 0;
      if (ended > 0) logger.info('revoked key: open requests ended', { keyId, ended });
    }
    for (const nodeId of changes.revokedNodes) {
      router.disconnect(nodeId, CloseCode.Revoked, 'this node was revoked');
    }
  }

  /** Relay routes keep their identity (and so their health) while their node stays put. */
  private setRelays(targets: RelayTarget[]): void {
    const seen = new Set<string>();
    for (const target of targets) {
      // A node held by two instances at once (a relink in flight) is relayed to one.
      if (seen.has(target.nodeId)) continue;
      seen.add(target.nodeId);
      const known = this.relays.get(target.nodeId);
      if (known && known.instanceId === target.instanceId) known.update(target);
      else this.relays.set(target.nodeId, new RelayRoute(target, this.options.secret));
    }
    for (const nodeId of [...this.relays.keys()]) if (!seen.has(nodeId)) this.relays.delete(nodeId);
    const routes = [...this.relays.values()];
    const summary = routes
      .map((route) => `${route.nodeId}@${route.instanceId}:${route.models().join('+')}`)
      .sort()
      .join(',');
    if (summary !== this.relaySummary) {
      this.relaySummary = summary;
      this.options.logger.info('cluster relays changed', {
        models: [...new Set(routes.flatMap((route) => route.models()))].sort().join(','),
        nodes: routes.length,
      });
    }
    this.options.router.setRelays(routes);
  }

  /** The relay routes now (tests, the admin view). */
  relayRoutes(): RelayRoute[] {
    return [...this.relays.values()];
  }

  /** Stops beating and leaves the cluster (the others stop relaying here at once). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.options.router.onLinksChanged = undefined;
    this.options.router.setRelays([]);
    await this.syncing;
    if (this.relayUrl === null) return;
    try {
      await this.options.store.clusterLeave(this.instanceId);
    } catch (error) {
      this.options.logger.warn('could not leave the cluster', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
