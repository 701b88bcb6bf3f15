/**
 * What the node's verbs act on: the engine's parts and the few things it does, as one narrow
 * interface. NodeEngine implements it and builds its verbs from it, so the verbs
 * (nodeApiHandlers.ts, nodeApiOperations.ts) and the status snapshot never import the engine.
 */
import type { HardwareReport } from '../../../common/hardware.js';
import type { NodeStatus } from '../../../common/nodeApi.js';
import type { ScheduleMode } from '../../../common/settings.js';
import type { LogRing } from '../diagnostics/logRing.js';
import type { ModelHost } from '../inference/modelHost.js';
import type { Ledger } from '../ledger/ledger.js';
import type { LinkClient } from '../link/linkClient.js';
import type { ModelDownloads } from '../models/modelDownloader.js';
import type { ModelFolder } from '../models/modelLibrary.js';
import type { HourlyEstimate } from '../pricing/estimates.js';
import type { Scheduler } from '../schedule/scheduler.js';
import type { PushedSignals } from '../schedule/signalSources.js';
import type { SettingsStore } from '../settings/settingsStore.js';
import type { RequestStats } from '../stats/requestStats.js';
import type { ServedModels } from './servedModels.js';

/** The options the verbs read. */
export interface VerbOptions {
  dataDir: string;
  hardware: NodeStatus['hardware'];
  settings: SettingsStore;
  /** The mode `resume` returns to from mode 'paused' ('always' headless, 'idle' in the app). */
  resumeMode: ScheduleMode;
}

/** How the node links to a gateway. */
export interface LinkOptions {
  /** Default: the gateway this node enrolled with. */
  gatewayURL?: string;
  /** Allows plain http:// to a gateway on another machine; default: as enrolled. */
  insecure?: boolean;
  agent: string;
  startupTimeoutMs: number;
}

export interface EngineParts {
  readonly options: VerbOptions;
  readonly models: readonly ModelHost[];
  readonly served: ServedModels;
  readonly folder: ModelFolder;
  readonly downloads: ModelDownloads;
  readonly logRing: LogRing;
  readonly scheduler: Scheduler;
  readonly pushedSignals: PushedSignals;
  readonly stats: RequestStats;
  readonly ledger: Ledger;
  readonly link: LinkClient | null;
  readonly linkGatewayURL: string | null;
  /** The hardware now (GPU readings at most a few seconds old). */
  hardware(): Promise<HardwareReport>;
  /** Hourly earnings, electricity and net for one served model. */
  estimate(model: string): HourlyEstimate;
  /** Enrolls with a one-time code, then links to that gateway. */
  join(
    options: { gatewayURL: string; code: string; name?: string; insecure?: boolean },
    link: LinkOptions,
  ): Promise<LinkClient>;
}
