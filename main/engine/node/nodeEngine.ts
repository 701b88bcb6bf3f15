/**
 * The engine in one object, the same in the app and headless: the models, the link to the
 * gateway, the scheduler and what carries out its verdicts, prices, the ledger and the
 * served-request stats, all driven by the settings. `api` is its `NodeApi`.
 */
import type { Logger } from '../../../common/log.js';
import type { NodeApi } from '../../../common/nodeApi.js';
import { effectivePrice, type ScheduleMode } from '../../../common/settings.js';
import { ModelHost, type ModelHostOptions } from '../inference/modelHost.js';
import { Ledger } from '../ledger/ledger.js';
import type { LinkClient, LinkModel } from '../link/linkClient.js';
import { startLink } from '../link/startLink.js';
import type { NodeIdentity } from '../link/identity.js';
import { allNetNegative, estimateHourly, type HourlyEstimate } from '../pricing/estimates.js';
import { Scheduler } from '../schedule/scheduler.js';
import { PushedSignals, type SignalSource } from '../schedule/signalSources.js';
import type { SettingsStore } from '../settings/settingsStore.js';
import { loadRequestStats, saveRequestStats, type RequestStats } from '../stats/requestStats.js';
import { createNodeApi } from './nodeApiHandlers.js';
import { PauseController } from './pauseController.js';

export interface NodeEngineOptions {
  dataDir: string;
  /** One per served model; the engine adds the logger and the stats hook. */
  hosts: readonly Omit<ModelHostOptions, 'logger' | 'onFinished'>[];
  hardware: { summary: string; backend: string };
  settings: SettingsStore;
  /** Pollers of the GPU and battery; the shell or scripts push the rest through `reportSignals`. */
  signalSources: readonly SignalSource[];
  /** The mode `resume` returns to from mode 'paused' ('always' headless, 'idle' in the app). */
  resumeMode: ScheduleMode;
  logger: Logger;
  /** How often the stats are saved (default 60 s); they are saved on stop too. */
  statsSaveIntervalMs?: number;
}

export interface LinkOptions {
  gatewayURL: string;
  identity: NodeIdentity;
  gatewayPublicKey: string;
  startupTimeoutMs: number;
}

export class NodeEngine {
  readonly models: ModelHost[];
  readonly pushedSignals = new PushedSignals('reportSignals');
  readonly scheduler: Scheduler;
  readonly pause: PauseController;
  readonly api: NodeApi;
  private linkClient: LinkClient | null = null;
  private gatewayURL: string | null = null;
  private readonly statsTimer: NodeJS.Timeout;

  private constructor(
    readonly options: NodeEngineOptions,
    readonly stats: RequestStats,
    readonly ledger: Ledger,
  ) {
    const { logger, settings } = options;
    this.models = options.hosts.map(
      (host) => new ModelHost({ ...host, logger, onFinished: (record) => stats.record(record) }),
    );
    this.scheduler = new Scheduler({
      settings: () => settings.get().schedule,
      netNegative: () =>
        settings.get().pricing.electricity.pauseWhenNetNegative &&
        allNetNegative(this.models.map((model) => this.estimate(model.id))),
      sources: [this.pushedSignals, ...options.signalSources],
      logger,
    });
    this.pause = new PauseController(
      { link: () => this.linkClient, models: () => this.models },
      () => settings.get().schedule,
      logger,
    );
    this.scheduler.on('change', (verdict) => this.pause.apply(verdict));
    settings.on('change', () => this.onSettingsChange());
    this.statsTimer = setInterval(
      () => void this.saveStats(),
      options.statsSaveIntervalMs ?? 60_000,
    );
    this.statsTimer.unref();
    this.api = createNodeApi(this);
  }

  /** Opens the ledger and the stats in the data folder. */
  static async open(options: NodeEngineOptions): Promise<NodeEngine> {
    const [stats, ledger] = await Promise.all([
      loadRequestStats(options.dataDir),
      Ledger.open({ dataDir: options.dataDir, logger: options.logger }),
    ]);
    return new NodeEngine(options, stats, ledger);
  }

  /** Starts the scheduler and applies its first verdict. */
  start(): void {
    this.scheduler.start();
    this.pause.apply(this.scheduler.verdict);
  }

  /** The link, once `connect` succeeded. */
  get link(): LinkClient | null {
    return this.linkClient;
  }

  get linkGatewayURL(): string | null {
    return this.gatewayURL;
  }

  /** What each model is offered for: its settings price, never below the floor. */
  linkModels(): LinkModel[] {
    const { pricing } = this.options.settings.get();
    return this.models.map((host) => ({
      host,
      price: effectivePrice(pricing, host.id),
      slots: host.slots,
      contextLength: host.contextPerSlot ?? 4096,
    }));
  }

  /** The hourly figures for a model at its price and measured speed. */
  estimate(model: string): HourlyEstimate {
    const settings = this.options.settings.get();
    return estimateHourly({
      price: effectivePrice(settings.pricing, model),
      tokensPerSecond: this.stats.tokensPerSecond(model),
      feeBasisPoints: this.linkClient?.status.feeBasisPoints ?? null,
      electricity: settings.pricing.electricity,
      measuredWatts: this.scheduler.status().signals.gpuWatts,
    });
  }

  /** Links to the gateway and waits for its welcome; served jobs go to the ledger. */
  async connect(link: LinkOptions & { agent: string }): Promise<LinkClient> {
    const { settings, logger } = this.options;
    const verdict = this.scheduler.verdict;
    const { rewards } = settings.get();
    const client = await startLink({
      gatewayURL: link.gatewayURL,
      identity: link.identity,
      gatewayPublicKey: link.gatewayPublicKey,
      agent: link.agent,
      hardware: this.options.hardware,
      models: this.linkModels(),
      availability: { serving: verdict.state === 'serving', reason: verdict.reason },
      rewards: { split: rewards.split, missionCause: rewards.missionCause },
      receipts: {
        add: (receipt, signature) =>
          this.ledger.addReceipt(receipt, signature, settings.get().rewards.split),
      },
      logger,
      startupTimeoutMs: link.startupTimeoutMs,
    });
    this.linkClient = client;
    this.gatewayURL = link.gatewayURL;
    client.on('reject', (reason, model) => this.stats.reject(reason, model));
    client.on('job', (end) => {
      if (end.outcome !== 'done') return;
      this.ledger
        .recordJob({
          jobId: end.jobId,
          model: end.model,
          promptTokens: end.promptTokens ?? 0,
          completionTokens: end.completionTokens ?? 0,
          price: end.price,
          feeBasisPoints: client.status.feeBasisPoints,
          servedAt: new Date().toISOString(),
        })
        .catch((error: unknown) =>
          logger.error('could not record a served job', { jobId: end.jobId, error: String(error) }),
        );
    });
    return client;
  }

  private onSettingsChange(): void {
    const { rewards } = this.options.settings.get();
    try {
      this.linkClient?.updateModels(this.linkModels());
    } catch (error) {
      this.options.logger.error('could not announce the new prices', { error: String(error) });
    }
    this.linkClient?.setRewards(rewards.split, rewards.missionCause);
    this.scheduler.tick();
  }

  private async saveStats(): Promise<void> {
    try {
      await saveRequestStats(this.options.dataDir, this.stats);
    } catch (error) {
      this.options.logger.warn('could not save the stats', { error: String(error) });
    }
  }

  /** Closes the link, stops the scheduler, unloads models and saves what must be kept. */
  async stop(): Promise<void> {
    clearInterval(this.statsTimer);
    this.scheduler.stop();
    this.pause.dispose();
    await this.linkClient?.stop();
    await Promise.all(this.models.map((model) => model.unload()));
    await this.saveStats();
    await this.ledger.close();
  }
}
