/** Per-node fault counts (usage over-reports and the like), kept in memory by the Router. */
export class NodeFaults {
  private readonly counts = new Map<string, number>();

  /** Records one fault for the node; returns its new count. */
  record(nodeId: string): number {
    const count = (this.counts.get(nodeId) ?? 0) + 1;
    this.counts.set(nodeId, count);
    return count;
  }

  count(nodeId: string): number {
    return this.counts.get(nodeId) ?? 0;
  }

  clear(nodeId: string): void {
    this.counts.delete(nodeId);
  }
}
