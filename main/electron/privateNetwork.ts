/**
 * "Run a private network on this machine": the bundled gateway (out/main/byoi-gateway.js)
 * in a utilityProcess on loopback, kept running while the app runs (restarted after 1 s,
 * 2 s, 4 s … like the engine), with an org "This machine", an API key for local clients and
 * the engine enrolled in it. What was made is remembered in userData (privateNetworkFiles.ts)
 * so that it is made once, and the port is kept so the URL stays the same across launches.
 */
import { join } from 'node:path';
import type { Logger } from '../../common/log.js';
import { isSpentCodeError } from '../../common/errorCodes.js';
import type { PrivateNetworkInfo } from '../../common/ipcContract.js';
import type { NodeApiArgs } from '../../common/nodeApi.js';
import type { TimerHandle, Timers } from '../../common/node/timers.js';
import type { UtilityChildLike } from './electronDeps.js';
import { DEFAULT_SUPERVISOR_BACKOFF, restartDelay, type SupervisorBackoff } from './engineState.js';
import { gatewayAdminClient } from './gatewayAdminClient.js';
import { lineSplitter } from './lineSplitter.js';
import {
  hasPrivateNetworkState,
  loadOrCreateGatewayAdminToken,
  PRIVATE_NETWORK_FILES,
  readPrivateNetworkState,
  writePrivateNetworkState,
  type PrivateNetworkState,
} from './privateNetworkFiles.js';

export interface PrivateNetworkOptions {
  userDataDir: string;
  /** Starts one gateway process with these arguments (the shell binds the module path). */
  fork: (args: string[]) => UtilityChildLike;
  /** The engine's `joinNetwork`, through the supervisor. */
  joinNetwork: (args: NodeApiArgs<'joinNetwork'>) => Promise<unknown>;
  timers: Timers;
  now: () => number;
  logger: Logger;
  backoff?: Partial<SupervisorBackoff>;
  /** How long a start may take to print its ready line before it is killed (default 30 s). */
  readyTimeoutMs?: number;
  /** Each line the gateway logs (stderr, JSON lines). */
  onOutput?: (line: string) => void;
}

export const PRIVATE_ORG_NAME = 'This machine';
const API_KEY_NAME = 'Local clients';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

interface Waiter {
  resolve: (url: string) => void;
  reject: (error: Error) => void;
}

export class PrivateNetwork {
  private readonly backoff: SupervisorBackoff;
  private child: UtilityChildLike | null = null;
  /** The running gateway's URL, or null while it is not ready. */
  private url: string | null = null;
  private port = 0;
  private adminToken: string | null = null;
  private info: PrivateNetworkInfo | null = null;
  private setUp: Promise<PrivateNetworkInfo> | null = null;
  private waiters: Waiter[] = [];
  private lastStderr = '';
  private spawnedAt: number | null = null;
  private failuresInARow = 0;
  private restartTimer: TimerHandle | null = null;
  private readyTimer: TimerHandle | null = null;
  private stopping = false;
  private exited: (() => void) | null = null;

  constructor(private readonly options: PrivateNetworkOptions) {
    this.backoff = { ...DEFAULT_SUPERVISOR_BACKOFF, ...options.backoff };
  }

  /** Whether a private network was set up here before (start it again on launch). */
  static isConfigured(userDataDir: string): boolean {
    return hasPrivateNetworkState(userDataDir);
  }

  /**
   * Starts the gateway (once) and finishes whatever setup is missing; resolves with what
   * clients need. While it runs, later calls answer the same at once.
   */
  start(): Promise<PrivateNetworkInfo> {
    if (this.stopping) return Promise.reject(new Error('The app is quitting'));
    if (this.info && this.url) return Promise.resolve(this.info);
    this.setUp ??= this.startAndProvision().finally(() => (this.setUp = null));
    return this.setUp;
  }

  /** Stops the gateway for good (app quit); resolves once it exited or the wait timed out. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearTimer('restartTimer');
    this.clearTimer('readyTimer');
    this.failWaiters(new Error('The app is quitting'));
    const child = this.child;
    if (!child) return;
    let timedOut: () => void = () => undefined;
    const gone = new Promise<void>((resolve) => (this.exited = resolve));
    const timeout = new Promise<void>((resolve) => (timedOut = resolve));
    const timer = this.options.timers.setTimeout(() => timedOut(), this.backoff.stopTimeoutMs);
    child.kill(); // SIGTERM: the gateway closes its database and exits
    await Promise.race([gone, timeout]);
    this.options.timers.clearTimeout(timer);
    if (this.child === child) {
      this.options.logger.warn('gateway did not exit in time; leaving it');
      this.child = null;
    }
  }

  private async startAndProvision(): Promise<PrivateNetworkInfo> {
    const { userDataDir, logger } = this.options;
    this.adminToken = loadOrCreateGatewayAdminToken(userDataDir);
    let state = readPrivateNetworkState(userDataDir, (message) => logger.warn(message));
    this.port = state.port ?? 0;
    const url = await this.whenReady();
    const save = (next: PrivateNetworkState) => {
      state = next;
      writePrivateNetworkState(userDataDir, next);
    };
    const port = Number(new URL(url).port);
    if (state.port !== port) save({ ...state, port });
    this.port = port;

    const admin = gatewayAdminClient(url, this.adminToken);
    // A gateway folder wiped by hand no longer knows the org: make it (and the rest) again.
    if (state.orgId === null || !(await admin.exists(`/orgs/${state.orgId}`))) {
      const org = await admin.post<{ id: string }>('/orgs', { name: PRIVATE_ORG_NAME });
      save({
        ...state,
        orgId: org.id,
        apiKeyId: null,
        apiKey: null,
        enrollmentCode: null,
        joined: false,
      });
    }
    const orgId = state.orgId!;
    if (state.apiKey === null) {
      const created = await admin.post<{ key: string; info: { id: string } }>(
        `/orgs/${orgId}/keys`,
        { name: API_KEY_NAME },
      );
      save({ ...state, apiKey: created.key, apiKeyId: created.info.id });
    }
    if (!state.joined) {
      if (state.enrollmentCode === null) {
        const { code } = await admin.post<{ code: string }>(`/orgs/${orgId}/enrollment-codes`, {});
        save({ ...state, enrollmentCode: code });
      }
      try {
        await this.options.joinNetwork({ gatewayURL: url, code: state.enrollmentCode! });
      } catch (error) {
        // A refused code (expired, used) is dropped so the next try makes a fresh one.
        if (isSpentCodeError((error as { wire?: { code?: string | null } }).wire?.code)) {
          save({ ...state, enrollmentCode: null });
        }
        throw error;
      }
      save({ ...state, joined: true, enrollmentCode: null });
      logger.info('the engine joined the private network', { gatewayURL: url });
    }
    this.info = { gatewayURL: url, apiKey: state.apiKey!, adminURL: `${url}/admin/v1` };
    return this.info;
  }

  /** The URL once the gateway is ready, starting it when it is neither running nor waiting. */
  private whenReady(): Promise<string> {
    if (this.url) return Promise.resolve(this.url);
    const ready = new Promise<string>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.child && !this.restartTimer) this.spawn();
    return ready;
  }

  private args(): string[] {
    const dataDir = join(this.options.userDataDir, PRIVATE_NETWORK_FILES.gatewayDir);
    return ['--json', '--port', String(this.port), '--data-dir', dataDir];
  }

  private spawn(): void {
    const { logger } = this.options;
    this.lastStderr = '';
    let child: UtilityChildLike;
    try {
      child = this.options.fork(this.args());
    } catch (error) {
      this.lastStderr = error instanceof Error ? error.message : String(error);
      this.onExit(null, -1);
      return;
    }
    this.child = child;
    this.spawnedAt = this.options.now();
    const output = this.options.onOutput ?? ((line: string) => logger.debug(line));
    child.stdout?.on(
      'data',
      lineSplitter((line) => (this.readyLine(child, line) ? undefined : output(line))),
    );
    child.stderr?.on(
      'data',
      lineSplitter((line) => {
        this.lastStderr = line.slice(0, 500);
        output(line);
      }),
    );
    child.on('error', (type, location) => {
      if (this.child === child) this.lastStderr = `${type} at ${location}`;
    });
    child.on('exit', (code) => this.onExit(child, code));
    this.readyTimer = this.options.timers.setTimeout(() => {
      this.readyTimer = null;
      if (this.child !== child || this.url) return;
      this.lastStderr = `no ready line within ${this.readyTimeoutMs()} ms`;
      child.kill();
    }, this.readyTimeoutMs());
  }

  private readyTimeoutMs(): number {
    return this.options.readyTimeoutMs ?? 30_000;
  }

  /** Handles the ready line; false for any other line. */
  private readyLine(child: UtilityChildLike, line: string): boolean {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return false;
    }
    const ready = message as { event?: unknown; url?: unknown } | null;
    if (ready?.event !== 'ready' || typeof ready.url !== 'string') return false;
    if (this.child !== child) return true;
    this.clearTimer('readyTimer');
    const url = ready.url.replace(/\/+$/, '');
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      // refused below
    }
    if (!LOOPBACK.has(host)) {
      this.lastStderr = `the gateway listens on ${url}, not on loopback`;
      child.kill();
      return true;
    }
    this.url = url;
    this.options.logger.info('private network gateway ready', { url, pid: child.pid ?? null });
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve(url);
    return true;
  }

  private onExit(child: UtilityChildLike | null, code: number): void {
    if (child && this.child !== child) return;
    this.child = null;
    this.url = null;
    this.clearTimer('readyTimer');
    this.exited?.();
    this.exited = null;
    if (this.stopping) {
      this.options.logger.info('private network gateway stopped', { code });
      return;
    }
    const uptimeMs = child && this.spawnedAt !== null ? this.options.now() - this.spawnedAt : 0;
    const detail = this.lastStderr ? `: ${this.lastStderr}` : '';
    const reason = `The private network's gateway stopped (exit code ${code})${detail}`;
    this.options.logger.error('private network gateway exited', { code, uptimeMs, detail });
    this.failWaiters(new Error(reason));
    if (uptimeMs >= this.backoff.healthyMs) this.failuresInARow = 0;
    const delay = restartDelay(this.failuresInARow, this.backoff);
    this.failuresInARow += 1;
    this.restartTimer = this.options.timers.setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping && !this.child) this.spawn();
    }, delay);
  }

  private failWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  private clearTimer(name: 'restartTimer' | 'readyTimer'): void {
    const timer = this[name];
    if (timer) this.options.timers.clearTimeout(timer);
    this[name] = null;
  }
}
