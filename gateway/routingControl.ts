/**
 * Keeps the router in step with the store: providers and routing rules are loaded at start
 * and again after every admin change, and each provider's health is checked in the
 * background (its free `GET /models`, never a paid completion).
 */
import type { Logger } from '../common/log.js';
import { CloseCode } from '../common/protocol.js';
import type { AdminLive } from './admin/adminRoutes.js';
import { fleetView } from './admin/fleetView.js';
import { compareRoutes } from './routing/compareRoutes.js';
import type { AccountingDeps } from './accounting/requestAccounting.js';
import type { OpenRequests } from './api/openRequests.js';
import type { Policy } from './policy/policy.js';
import type { Router } from './routing/router.js';
import type { GatewayStore } from './store/types.js';
import { HealthChecker, type HealthCheckerOptions } from './upstream/healthCheck.js';

export interface RoutingControlOptions extends AccountingDeps {
  store: GatewayStore;
  router: Router;
  /** Client requests in flight, which a revoked key's end. */
  openRequests: OpenRequests;
  /** The policy, reread after an admin change. */
  policy: Policy;
  /** How often each provider's `/models` is checked. */
  healthIntervalMs: number;
  /** The check of one provider (default `checkProvider`; a cluster shares one per interval). */
  healthCheck?: HealthCheckerOptions['check'];
  connectTimeoutMs: number;
  logger: Logger;
}

export class RoutingControl {
  private readonly checker: HealthChecker;

  constructor(private readonly options: RoutingControlOptions) {
    const { router, logger } = options;
    this.checker = new HealthChecker({
      intervalMs: options.healthIntervalMs,
      timeoutMs: options.connectTimeoutMs,
      routes: () => router.upstreamRoutes(),
      check: options.healthCheck,
      onResult: (route, result) => {
        const health = router.health.of(route);
        if (result.ok) health.healthOk();
        else {
          health.healthFailed(result.error ?? 'health check failed');
          logger.info('provider health check failed', { provider: route.id, error: result.error });
        }
      },
    });
  }

  /** Loads providers and rules from the store into the router. */
  async reload(): Promise<void> {
    const [providers, rules] = await Promise.all([
      this.options.store.listProviders(),
      this.options.store.listRoutingRules(),
    ]);
    this.options.router.setProviders(providers);
    this.options.router.setRules(rules);
  }

  /** What the admin API shows and does with the live router. */
  live(): AdminLive {
    const { router } = this.options;
    return {
      routes: () => router.views(),
      keyStates: (provider) =>
        router
          .upstreamRoutes()
          .find((route) => route.id === provider)
          ?.keyStates() ?? [],
      compare: (input) => compareRoutes(this.options, input),
      fleet: (nodes) => fleetView(router, this.options.store, nodes),
      providersChanged: () => this.reload(),
      nodeRevoked: (nodeId) =>
        router.disconnect(nodeId, CloseCode.Revoked, 'this node was revoked'),
      nodeFaultsCleared: (nodeId) => router.faultsCleared(nodeId),
      policyChanged: () => this.options.policy.reload(),
      apiKeyRevoked: (keyId) => {
        const ended = this.options.openRequests.keyRevoked(keyId);
        if (ended > 0)
          this.options.logger.info('revoked key: open requests ended', { keyId, ended });
      },
    };
  }

  close(): void {
    this.checker.close();
  }
}
