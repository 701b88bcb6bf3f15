/**
 * The router's view of each node's faults: every fault goes to the store (so operators see
 * it and it outlives a restart), and a node whose faults reach the threshold is quarantined:
 * it stays linked, but gets no offers until an operator clears it.
 */
import type { Logger } from '../../common/log.js';
import type { GatewayStore, NodeFaultKind } from '../store/types.js';

export interface NodeStandingOptions {
  store: Pick<GatewayStore, 'recordNodeFault' | 'listNodes'>;
  /** Faults since the last clear that quarantine a node (0: never). */
  quarantineAfter: number;
  logger: Logger;
}

export class NodeStanding {
  private readonly quarantined = new Set<string>();
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly options: NodeStandingOptions) {}

  /** Reads which nodes are quarantined, at start. */
  async load(): Promise<void> {
    const nodes = await this.options.store.listNodes();
    this.quarantined.clear();
    for (const node of nodes) if (node.quarantinedAt) this.quarantined.add(node.id);
  }

  /**
   * Takes the quarantined set another instance may have changed (a cluster's heartbeat);
   * returns the nodes whose standing changed.
   */
  replace(quarantined: readonly string[]): string[] {
    const next = new Set(quarantined);
    const changed = [
      ...[...next].filter((id) => !this.quarantined.has(id)),
      ...[...this.quarantined].filter((id) => !next.has(id)),
    ];
    this.quarantined.clear();
    for (const id of next) this.quarantined.add(id);
    return changed;
  }

  isQuarantined(nodeId: string): boolean {
    return this.quarantined.has(nodeId);
  }

  /**
   * Counts a fault (in the background, in order); `detail` is the gateway's own words. The
   * caller logs what happened; this logs the quarantine.
   */
  record(nodeId: string, kind: NodeFaultKind, detail: string): void {
    const { store, quarantineAfter, logger } = this.options;
    this.writes = this.writes
      .then(() => store.recordNodeFault(nodeId, kind, detail, quarantineAfter))
      .then((outcome) => {
        if (!outcome?.quarantined) return;
        if (outcome.newlyQuarantined) {
          logger.warn('node quarantined: it gets no offers until an operator clears it', {
            nodeId,
            faults: outcome.total,
            lastFault: kind,
          });
        }
        this.quarantined.add(nodeId);
      })
      .catch((error: unknown) =>
        logger.error('node fault not stored', {
          nodeId,
          kind,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
  }

  /** An operator cleared the node's faults: it gets offers again. */
  cleared(nodeId: string): void {
    this.quarantined.delete(nodeId);
  }

  /** Resolves once every fault recorded so far is stored. */
  settled(): Promise<void> {
    return this.writes;
  }
}
