/**
 * A cheap active check of upstream providers: `GET {baseUrl}/models` with a usable key,
 * never a paid completion. A key the provider refuses on the check is disabled as in a try
 * (and the check goes on with the next key); a rate-limited one rests, and the provider
 * counts as up, since it answered.
 */
import {
  realTimers,
  unrefTimeout,
  type TimerHandle,
  type Timers,
} from '../../common/node/timers.js';
import { providerError, retryAfterMs } from './upstreamErrors.js';
import type { UpstreamRoute } from './upstreamRoute.js';

export interface HealthResult {
  ok: boolean;
  /** Why not ok: short, the key never in it. */
  error: string | null;
  /** ms the last request of the check took (0 when none was sent). */
  latencyMs: number;
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/** Checks one provider; `timeoutMs` (the connect timeout) bounds each request in all. */
export async function checkProvider(
  route: UpstreamRoute,
  timeoutMs: number,
): Promise<HealthResult> {
  // Each refused key is disabled, so this ends after at most one request per key.
  for (;;) {
    const lease = route.leaseKey();
    if (!lease) return { ok: false, error: 'no usable key', latencyMs: 0 };
    const started = performance.now();
    let status: number;
    let said: string | null;
    try {
      const answer = await route.client.probe('/models', lease, timeoutMs);
      status = answer.status;
      if (status >= 200 && status < 300) {
        return { ok: true, error: null, latencyMs: performance.now() - started };
      }
      said = providerError(parse(answer.body), lease.key).message;
      if (status === 429) {
        route.keyRefused(
          lease,
          429,
          retryAfterMs(answer.headers, route.clock()),
          `rate limited (429) on the health check`,
        );
        return { ok: true, error: null, latencyMs: performance.now() - started };
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      const why =
        code === 'ETIMEDOUT' ? `no answer within ${timeoutMs} ms` : (code ?? 'connection failed');
      return { ok: false, error: why, latencyMs: performance.now() - started };
    }
    const latencyMs = performance.now() - started;
    const error = `HTTP ${status}${said ? `: ${said}` : ''}`;
    if (status === 401 || status === 403) {
      route.keyRefused(
        lease,
        status,
        undefined,
        `upstream refused the key (${status}) on the health check`,
      );
      continue;
    }
    return { ok: false, error, latencyMs };
  }
}

export interface HealthCheckerOptions {
  /** The routes to check, asked for each round (the enabled providers). */
  routes: () => UpstreamRoute[];
  /** ms between the end of a round and the start of the next. */
  intervalMs: number;
  /** Bounds each check's request (the connect timeout). */
  timeoutMs: number;
  onResult: (route: UpstreamRoute, result: HealthResult) => void;
  timers?: Timers;
  /** The check itself ({@link checkProvider} by default). */
  check?: (route: UpstreamRoute, timeoutMs: number) => Promise<HealthResult>;
}

/** Checks every route every `intervalMs`, in parallel, one round at a time. */
export class HealthChecker {
  private readonly timers: Timers;
  private timer: TimerHandle | null = null;
  private round: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: HealthCheckerOptions) {
    this.timers = options.timers ?? realTimers;
    this.arm();
  }

  /** Runs a round now (or joins the one running); the next is due `intervalMs` after it. */
  checkNow(): Promise<void> {
    if (this.round) return this.round;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
    const check = this.options.check ?? checkProvider;
    const routes = this.closed ? [] : this.options.routes();
    this.round = Promise.all(
      routes.map(async (route) => {
        let result: HealthResult;
        try {
          result = await check(route, this.options.timeoutMs);
        } catch (error) {
          result = {
            ok: false,
            error: error instanceof Error ? error.message : 'check failed',
            latencyMs: 0,
          };
        }
        if (this.closed) return;
        try {
          this.options.onResult(route, result);
        } catch {
          // One listener's bug must not stop the checks.
        }
      }),
    ).then(() => {
      this.round = null;
      this.arm();
    });
    return this.round;
  }

  /** Stops the checks; a round under way reports nothing more. */
  close(): void {
    this.closed = true;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.closed) return;
    this.timer = unrefTimeout(this.timers, () => void this.checkNow(), this.options.intervalMs);
  }
}
