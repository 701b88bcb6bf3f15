/**
 * Runs the engine in a utilityProcess and keeps it running. A crash (llama.cpp dying in
 * native code, an out-of-memory kill) fails the calls in flight with a clear error, is
 * recorded, and the engine is started again after 1 s, 2 s, 4 s … at most 30 s; a run that
 * stayed up 60 s counts as healthy and starts the sequence over. The tray and the window
 * read `snapshot()` to say what happened. Nothing the child does can throw in here.
 */
import type { Logger } from '../../common/log.js';
import type { NodeApiResults, NodeApiVerb, NodeEvent, NodeStatus } from '../../common/nodeApi.js';
import type { TimerHandle, Timers } from '../../common/node/timers.js';
import type { UtilityChildLike } from './electronDeps.js';
import { EngineCallError, EngineUnavailableError, parseEngineMessage } from './engineMessages.js';
import {
  DEFAULT_SUPERVISOR_BACKOFF,
  MAX_CRASHES,
  restartDelay,
  type SupervisorBackoff,
} from './engineState.js';
import type { EngineCrash, EngineProcessState, EngineState } from '../../common/ipcContract.js';
import { lineSplitter } from './lineSplitter.js';

export type { SupervisorBackoff } from './engineState.js';
export { DEFAULT_SUPERVISOR_BACKOFF, MAX_CRASHES } from './engineState.js';

export interface SupervisorOptions {
  /** Starts one engine process (the shell binds the module path, args and env). */
  fork: () => UtilityChildLike;
  timers: Timers;
  now: () => number;
  logger: Logger;
  backoff?: Partial<SupervisorBackoff>;
  /** Each line the engine writes on stdout or stderr (its JSON-lines log). */
  onOutput?: (line: string) => void;
}

interface Pending {
  verb: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

type Listener<T> = (value: T) => void;

export class EngineSupervisor {
  private readonly backoff: SupervisorBackoff;
  private child: UtilityChildLike | null = null;
  // 'starting' from the outset: the shell starts it as soon as the node key is ready.
  private state: EngineState = 'starting';
  private lastError: string | null = null;
  /** A V8 fatal error the process reported before exiting; it says more than the code. */
  private fatalError: string | null = null;
  private readonly crashes: EngineCrash[] = [];
  private restartTimer: TimerHandle | null = null;
  private restartAt: number | null = null;
  private failuresInARow = 0;
  private spawnedAt: number | null = null;
  private stopping = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Calls made before the process reported `spawn`. */
  private outbox: unknown[] = [];
  private status: NodeStatus | null = null;
  private readonly stateListeners = new Set<Listener<EngineProcessState>>();
  private readonly eventListeners = new Set<Listener<NodeEvent>>();
  private exited: (() => void) | null = null;

  constructor(private readonly options: SupervisorOptions) {
    this.backoff = { ...DEFAULT_SUPERVISOR_BACKOFF, ...options.backoff };
  }

  /** The latest status snapshot the engine pushed (kept across a crash), or null. */
  get latestStatus(): NodeStatus | null {
    return this.status;
  }

  snapshot(): EngineProcessState {
    return {
      state: this.state,
      lastError: this.lastError,
      crashes: [...this.crashes],
      restartAt: this.restartAt === null ? null : new Date(this.restartAt).toISOString(),
      pid: this.child?.pid ?? null,
    };
  }

  onState(listener: Listener<EngineProcessState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onEvent(listener: Listener<NodeEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Starts the engine (once; later calls do nothing while it runs). */
  start(): void {
    if (this.stopping || this.child || this.state === 'restarting') return;
    this.spawn();
  }

  /** Never starts the engine, and says why (e.g. the node key cannot be decrypted). */
  refuseToStart(reason: string): void {
    this.lastError = reason;
    this.stopping = true;
    this.setState('stopped');
  }

  /** While waiting to restart, starts at once (the tray's "Restart engine"). */
  restartNow(): void {
    if (this.state !== 'restarting') return;
    this.clearRestartTimer();
    this.spawn();
  }

  /** Stops for good (app quit): no restart; resolves once the process is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearRestartTimer();
    const child = this.child;
    if (!child) {
      this.setState('stopped');
      return;
    }
    let timedOut: () => void = () => undefined;
    const gone = new Promise<void>((resolve) => (this.exited = resolve));
    const timeout = new Promise<void>((resolve) => (timedOut = resolve));
    const timer = this.options.timers.setTimeout(() => timedOut(), this.backoff.stopTimeoutMs);
    child.kill(); // SIGTERM on POSIX: engine-host saves its stats and exits
    await Promise.race([gone, timeout]);
    this.options.timers.clearTimeout(timer);
    if (this.child === child) {
      this.options.logger.warn('engine did not exit in time; leaving it', {
        timeoutMs: this.backoff.stopTimeoutMs,
      });
      this.onExit(child, -1);
    }
  }

  /** Sends one NodeApi call; rejects at once when the engine is not up. */
  call<V extends NodeApiVerb>(verb: V, args: unknown): Promise<NodeApiResults[V]> {
    if (this.state === 'restarting' || this.state === 'stopped' || !this.child) {
      return Promise.reject(new EngineUnavailableError(this.unavailableMessage()));
    }
    const id = this.nextId++;
    const message = { type: 'call', id, verb, args };
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        verb,
        resolve: resolve as (result: unknown) => void,
        reject,
      });
      if (this.state === 'running') this.post(message);
      else this.outbox.push(message);
    });
  }

  private unavailableMessage(): string {
    if (this.state === 'restarting') {
      const seconds = Math.max(0, Math.ceil(((this.restartAt ?? 0) - this.options.now()) / 1000));
      return `The engine is restarting after it stopped unexpectedly (${this.lastError ?? 'no details'}); it starts again in ${seconds} s.`;
    }
    return this.lastError
      ? `The engine is not running: ${this.lastError}`
      : 'The engine is not running.';
  }

  private spawn(): void {
    this.restartAt = null;
    this.setState('starting');
    let child: UtilityChildLike;
    try {
      child = this.options.fork();
    } catch (error) {
      this.recordCrash(
        -1,
        `could not be started: ${error instanceof Error ? error.message : String(error)}`,
        0,
      );
      this.scheduleRestart(0);
      return;
    }
    this.child = child;
    this.spawnedAt = null;
    this.fatalError = null;
    const output = this.options.onOutput;
    if (output) {
      for (const stream of [child.stdout, child.stderr]) stream?.on('data', lineSplitter(output));
    }
    child.on('spawn', () => this.onSpawn(child));
    child.on('message', (message) => this.onMessage(child, message));
    child.on('error', (type, location) => {
      if (this.child === child) this.fatalError = `${type} at ${location}`;
    });
    child.on('exit', (code) => this.onExit(child, code));
  }

  private onSpawn(child: UtilityChildLike): void {
    if (this.child !== child) return;
    this.spawnedAt = this.options.now();
    this.options.logger.info('engine started', { pid: child.pid ?? null });
    this.setState('running');
    const queued = this.outbox;
    this.outbox = [];
    for (const message of queued) this.post(message);
  }

  private post(message: unknown): void {
    try {
      this.child?.postMessage(message);
    } catch (error) {
      // The process is going away; its exit fails the call.
      this.options.logger.warn('engine message not sent', { error: String(error) });
    }
  }

  private onMessage(child: UtilityChildLike, raw: unknown): void {
    if (this.child !== child) return;
    const message = parseEngineMessage(raw);
    if (!message) {
      this.options.logger.warn('engine sent a malformed message; ignored');
      return;
    }
    if (message.type === 'event') {
      if (message.event.type === 'status') this.status = message.event.status;
      for (const listener of this.eventListeners) listener(message.event);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'result') pending.resolve(message.result);
    else pending.reject(new EngineCallError(message.error));
  }

  private onExit(child: UtilityChildLike, code: number): void {
    if (this.child !== child) return;
    this.child = null;
    const uptimeMs = this.spawnedAt === null ? 0 : this.options.now() - this.spawnedAt;
    const reason = this.stopping
      ? 'stopped by the app'
      : code === 0
        ? 'exited on its own (code 0)'
        : `crashed (exit code ${code})`;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(
        new EngineUnavailableError(`The engine ${reason} before answering '${pending.verb}'.`),
      );
    }
    this.outbox = [];
    this.exited?.();
    this.exited = null;
    if (this.stopping) {
      this.options.logger.info('engine stopped', { code });
      this.setState('stopped');
      return;
    }
    this.recordCrash(code, reason, uptimeMs);
    this.scheduleRestart(uptimeMs);
  }

  private recordCrash(code: number, reason: string, uptimeMs: number): void {
    const at = new Date(this.options.now()).toISOString();
    const detail = this.fatalError ? `${reason}: ${this.fatalError}` : reason;
    this.lastError = `The engine ${detail} at ${at}`;
    this.crashes.unshift({ code, at, uptimeMs, reason: detail });
    this.crashes.length = Math.min(this.crashes.length, MAX_CRASHES);
    this.options.logger.error('engine exited', { code, uptimeMs, reason: detail });
  }

  private scheduleRestart(uptimeMs: number): void {
    if (uptimeMs >= this.backoff.healthyMs) this.failuresInARow = 0;
    const delay = restartDelay(this.failuresInARow, this.backoff);
    this.failuresInARow += 1;
    this.restartAt = this.options.now() + delay;
    this.restartTimer = this.options.timers.setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.spawn();
    }, delay);
    this.setState('restarting');
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) this.options.timers.clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.restartAt = null;
  }

  private setState(state: EngineState): void {
    this.state = state;
    const snapshot = this.snapshot();
    for (const listener of this.stateListeners) listener(snapshot);
  }
}
