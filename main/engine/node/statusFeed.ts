/**
 * Events for dashboards: status snapshots every second while anyone listens (and at once
 * after a change), plus whatever else the engine reports (downloads, logs).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../../../common/log.js';
import type { NodeEvent, NodeStatus } from '../../../common/nodeApi.js';

export class StatusFeed {
  private readonly emitter = new EventEmitter<{ event: [NodeEvent] }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly snapshot: () => NodeStatus,
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
  ) {}

  /** Calls `listener` with every event until the returned function is called. */
  subscribe(listener: (event: NodeEvent) => void): () => void {
    this.emitter.on('event', listener);
    if (!this.timer) {
      this.timer = setInterval(() => this.pushStatus(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.emitter.off('event', listener);
      if (this.emitter.listenerCount('event') === 0) this.stop();
    };
  }

  /** Sends `event` to every subscriber. */
  emit(event: NodeEvent): void {
    this.emitter.emit('event', event);
  }

  /** Pushes a fresh snapshot now, if anyone listens. */
  pushStatus(): void {
    if (this.emitter.listenerCount('event') === 0) return;
    let status: NodeStatus;
    try {
      status = this.snapshot();
    } catch (error) {
      this.logger.warn('could not build a status snapshot', { error: String(error) });
      return;
    }
    this.emit({ type: 'status', status });
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
