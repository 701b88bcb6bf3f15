/**
 * The engine in one object, the same in the app and headless: the models, the link to the
 * gateway, the scheduler and what carries out its verdicts, prices, the ledger and the
 * served-request stats, all driven by the settings. `api` is its `NodeApi`.
 */
import { join } from 'node:path';
import type { Logger } from '../../../common/log.js';
import type { HardwareReport } from '../../../common/hardware.js';
import type { NodeApi, NodeEvent } from '../../../common/nodeApi.js';
import { LogRing } from '../diagnostics/logRing.js';
import { detectHardware } from '../hardware/gpuDetect.js';
import { FileHashes } from '../models/fileHashes.js';
import { ModelDownloads } from '../models/modelDownloader.js';
import { ModelFolder, modelsFolder } from '../models/modelLibrary.js';
import { effectivePrice } from '../../../common/settings.js';
import type { ModelHost } from '../inference/modelHost.js';
import { Ledger } from '../ledger/ledger.js';
import { enroll, readEnrollment } from '../link/enrollment.js';
import type { LinkClient, LinkModel } from '../link/linkClient.js';
import { startLink } from '../link/startLink.js';
import { loadOrCreateIdentity, type NodeIdentity } from '../link/identity.js';
import { allNetNegative, estimateHourly, type HourlyEstimate } from '../pricing/estimates.js';
import { Scheduler } from '../schedule/scheduler.js';
import { PushedSignals, type SignalSource } from '../schedule/signalSources.js';
import type { DirLock } from '../storage/dataDirLock.js';
import { loadRequestStats, saveRequestStats, type RequestStats } from '../stats/requestStats.js';
import { createNodeApi } from './nodeApiHandlers.js';
import { PauseController } from './pauseController.js';
import { ServedModels, type ModelDefaults } from './servedModels.js';
import { StatusFeed } from './statusFeed.js';
import { statusSnapshot } from './statusSnapshot.js';
import type { EngineParts, LinkOptions, VerbOptions } from './engineParts.js';

/** How often a status snapshot is pushed to dashboards that listen. */
const STATUS_PUSH_MS = 1000;
/** GPU readings (utilization, VRAM, temperature) are re-read at most this often. */
const HARDWARE_MAX_AGE_MS = 3000;

export interface NodeEngineOptions extends VerbOptions {
  /** Threads, slots, queue, context and GPU use of every served model. */
  modelDefaults: ModelDefaults;
  /** Model files to serve from the start (the headless node's `--model`). */
  modelPaths: readonly string[];
  /** Pollers of the GPU and battery; the shell or scripts push the rest through `reportSignals`. */
  signalSources: readonly SignalSource[];
  logger: Logger;
  /** The node's key when it is not `<dataDir>/node-key.pem` (the app keeps it in the keyring). */
  identity?: NodeIdentity;
  /** Recent log lines for `getLogs` and diagnostics (tee the logger into it). */
  logRing?: LogRing;
  /** How often the stats are saved (default 60 s); they are saved on stop too. */
  statsSaveIntervalMs?: number;
  /** The data folder's lock (storage/dataDirLock.ts), released by `stop`. */
  dataDirLock?: DirLock;
  /** Started with --no-link: serving only on this machine counts as a choice made. */
  localOnly?: boolean;
}

export class NodeEngine implements EngineParts {
  readonly served: ServedModels;
  readonly pushedSignals = new PushedSignals('reportSignals');
  /** Events for dashboards: `status` snapshots every second while someone listens. */
  readonly feed: StatusFeed;
  readonly folder: ModelFolder;
  readonly downloads: ModelDownloads;
  readonly logRing: LogRing;
  private hardwareRead: { at: number; report: Promise<HardwareReport> } | undefined;
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
    this.logRing = options.logRing ?? new LogRing();
    this.folder = new ModelFolder(modelsFolder(options.dataDir));
    this.downloads = new ModelDownloads({ folder: this.folder.folder, logger });
    this.feed = new StatusFeed(() => statusSnapshot(this), logger, STATUS_PUSH_MS);
    this.downloads.on('change', (download) => this.feed.emit({ type: 'download', download }));
    this.served = new ServedModels(
      options.modelDefaults,
      logger,
      (record) => stats.record(record),
      () => this.announceModels(),
      new FileHashes(join(options.dataDir, 'model-hashes.json')),
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
    try {
      const [stats, ledger] = await Promise.all([
        loadRequestStats(options.dataDir),
        Ledger.open({ dataDir: options.dataDir, logger: options.logger }),
      ]);
      return new NodeEngine(options, stats, ledger);
    } catch (error) {
      options.dataDirLock?.release();
      throw error;
    }
  }

  /** The models served now. */
  get models(): readonly ModelHost[] {
    return this.served.list();
  }

  /** The hardware report, GPU readings at most a few seconds old. */
  hardware(): Promise<HardwareReport> {
    const now = Date.now();
    if (!this.hardwareRead || now - this.hardwareRead.at > HARDWARE_MAX_AGE_MS) {
      this.hardwareRead = { at: now, report: detectHardware() };
    }
    return this.hardwareRead.report;
  }

  /**
   * Loads the models to serve at start: the given files, then those the provider chose in
   * the dashboard (from the models folder). A model chosen earlier that fails to load is
   * logged and skipped; a given file that fails is an error.
   */
  async loadModels(): Promise<void> {
    for (const path of this.options.modelPaths) await this.served.add(path);
    for (const id of this.options.settings.get().servedModels) {
      await this.served.add(this.folder.pathOf(`${id}.gguf`)).catch((error: unknown) =>
        this.options.logger.warn('a model chosen earlier could not be served', {
          model: id,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    }
  }

  /**
   * A node that serves a model and has joined a network (or runs local-only by choice) is set
   * up: its dashboard opens on Overview, not on the setup wizard. Settings can run it again.
   */
  markSetUp(localOnly: boolean): void {
    if (this.options.settings.get().onboarded) return;
    if (this.models.length === 0 || (!localOnly && !this.linkClient)) return;
    this.options.settings.update({ onboarded: true });
    this.options.logger.info('setup done: the dashboard opens on Overview');
  }

  /** Starts the scheduler and applies its first verdict. */
  start(): void {
    this.scheduler.start();
    this.pause.apply(this.scheduler.verdict);
    this.scheduler.on('change', () => this.pushStatus());
  }

  /** Calls `listener` with every event (status snapshots every second) until unsubscribed. */
  subscribe(listener: (event: NodeEvent) => void): () => void {
    return this.feed.subscribe(listener);
  }

  private pushStatus(): void {
    this.feed.pushStatus();
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
      sha256: this.served.sha256Of(host.id),
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

  /** Enrolls with a one-time code, then links to that gateway. */
  async join(
    options: { gatewayURL: string; code: string; name?: string; insecure?: boolean },
    link: LinkOptions,
  ) {
    const enrollment = await enroll({
      ...options,
      dataDir: this.options.dataDir,
      identity: this.options.identity,
    });
    await this.linkClient?.stop('joining another gateway');
    this.linkClient = null;
    return this.connect({ ...link, gatewayURL: enrollment.gatewayURL, insecure: options.insecure });
  }

  /** Links to the gateway and waits for its welcome; served jobs go to the ledger. */
  async connect(link: LinkOptions): Promise<LinkClient> {
    const { settings, logger, dataDir } = this.options;
    const enrollment = await readEnrollment(dataDir);
    if (!enrollment)
      throw new Error('this node is not enrolled yet; join a network with a code first');
    const gatewayURL = link.gatewayURL ?? enrollment.gatewayURL;
    const insecure =
      link.insecure ?? (enrollment.insecure === true && gatewayURL === enrollment.gatewayURL);
    const verdict = this.scheduler.verdict;
    const { rewards } = settings.get();
    const models = this.linkModels();
    const client = await startLink({
      gatewayURL,
      insecure,
      identity: this.options.identity ?? (await loadOrCreateIdentity(dataDir)),
      gatewayPublicKey: enrollment.gatewayPublicKey,
      agent: link.agent,
      hardware: this.options.hardware,
      models,
      availability: { serving: verdict.state === 'serving', reason: verdict.reason },
      rewards: { split: rewards.split, missionCause: rewards.missionCause },
      receipts: {
        add: (receipt, signature) =>
          this.ledger.addReceipt(receipt, signature, settings.get().rewards.split),
        pending: (limit) => this.ledger.pendingJobIds(limit),
        unknown: (jobIds) => this.ledger.markUnknownAtGateway(jobIds),
      },
      logger,
      startupTimeoutMs: link.startupTimeoutMs,
    });
    this.linkClient = client;
    this.gatewayURL = gatewayURL;
    // A model file's hash that came in while the link was starting is announced now.
    const hashes = (list: LinkModel[]) => list.map((model) => model.sha256 ?? '').join();
    if (hashes(this.linkModels()) !== hashes(models)) this.announceModels();
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

  private announceModels(): void {
    try {
      this.linkClient?.updateModels(this.linkModels());
    } catch (error) {
      this.options.logger.error('could not announce the models', { error: String(error) });
    }
  }

  private onSettingsChange(): void {
    const { rewards } = this.options.settings.get();
    this.announceModels();
    this.linkClient?.setRewards(rewards.split, rewards.missionCause);
    this.scheduler.tick();
    this.pushStatus();
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
    this.feed.stop();
    await this.downloads.stop();
    this.scheduler.stop();
    this.pause.dispose();
    await this.linkClient?.stop();
    await this.served.unloadAll();
    await this.saveStats();
    await this.ledger.close();
    this.options.dataDirLock?.release();
  }
}
