/** What the admin API needs of the live router: its routes, key states and comparisons. */
import type { KeyState } from '../routing/route.js';
import type {
  CompareInput,
  CompareRow,
  NodeRecord,
  NodeView,
  RouteView,
} from '../../common/adminRecords.js';

/** The running gateway's live side, handed to {@link registerAdminRoutes} by the composition root. */
export interface AdminLive {
  /** Every route with its health and the gateway's own measurements. */
  routes(): RouteView[];
  /** The live states of a provider's keys (empty when the router does not have it loaded). */
  keyStates(provider: string): KeyState[];
  /** The same prompt once on each route that serves the model. */
  compare(input: CompareInput): Promise<CompareRow[]>;
  /** Called after every change to providers or routing rules, so the router reloads them. */
  providersChanged(): Promise<void>;
  /** A node was revoked: its link closes (4007) and its models leave the listing at once. */
  nodeRevoked(nodeId: string): void;
  /** An API key was revoked: its requests in flight end at once (streams with an SSE error). */
  apiKeyRevoked(keyId: string): void;
  /** An operator cleared a node's faults: a quarantined node gets offers again. */
  nodeFaultsCleared(nodeId: string): void;
  /** The nodes with what the router sees of them live (online, paused, models, slots…). */
  fleet(nodes: NodeRecord[]): Promise<NodeView[]>;
  /** Called after every change to limits, quotas or cache policies, so they apply at once here. */
  policyChanged(): Promise<void>;
}
