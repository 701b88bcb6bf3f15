/**
 * Carries out the scheduler's verdicts. Pausing: tell the gateway (it routes elsewhere),
 * hand back jobs that have produced nothing yet (the gateway fails them over), let running
 * jobs finish within the grace period — none for an urgent pause — then stop them, and
 * unload the models when the provider wants the VRAM back. Resuming undoes it.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../../../common/log.js';
import type { ScheduleSettings } from '../../../common/settings.js';
import type { ScheduleVerdict } from '../schedule/decide.js';

/** What pausing acts on (a LinkClient and ModelHosts have it; tests pass stand-ins). */
export interface PauseTargets {
  link(): {
    setAvailability(serving: boolean, reason: string): void;
    handBackJobs(reason: string): number;
    stopJobs(reason: string): number;
  } | null;
  models(): readonly {
    id: string;
    isLoaded: boolean;
    load(): Promise<unknown>;
    unload(): Promise<void>;
  }[];
}

/** Reported once a pause has taken full effect: jobs stopped and, if asked, VRAM freed. */
export interface YieldReport {
  reason: string;
  handedBack: number;
  stopped: number;
  unloaded: string[];
  /** From the verdict to the end of the yield. */
  ms: number;
}

export class PauseController extends EventEmitter<{ yielded: [YieldReport] }> {
  private graceTimer: NodeJS.Timeout | undefined;
  private serving: boolean | undefined;
  /** Models this controller unloaded, to load again on resume. */
  private unloadedByPause = new Set<string>();
  /** Bumped on every verdict, so a slow unload from an older pause does nothing stale. */
  private generation = 0;

  constructor(
    private readonly targets: PauseTargets,
    private readonly settings: () => ScheduleSettings,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Applies a verdict; repeated verdicts are cheap and an urgent one cuts a grace short. */
  apply(verdict: ScheduleVerdict): void {
    const generation = ++this.generation;
    const link = this.targets.link();
    if (verdict.state === 'serving') {
      clearTimeout(this.graceTimer);
      this.graceTimer = undefined;
      link?.setAvailability(true, verdict.reason);
      if (this.serving === false) this.reloadModels();
      this.serving = true;
      return;
    }
    const started = performance.now();
    const wasServing = this.serving !== false;
    this.serving = false;
    link?.setAvailability(false, verdict.reason);
    const handedBack = link?.handBackJobs(verdict.reason) ?? 0;
    const graceMs = verdict.urgent ? 0 : this.settings().graceSeconds * 1000;
    const finish = () => {
      this.graceTimer = undefined;
      void this.finishYield(generation, verdict.reason, handedBack, started);
    };
    if (graceMs === 0) {
      clearTimeout(this.graceTimer);
      finish();
    } else if (wasServing) {
      this.graceTimer = setTimeout(finish, graceMs);
      this.graceTimer.unref();
    }
  }

  /** Cancels a pending grace period (the engine is stopping). */
  dispose(): void {
    clearTimeout(this.graceTimer);
    this.generation++;
  }

  private async finishYield(
    generation: number,
    reason: string,
    handedBack: number,
    started: number,
  ): Promise<void> {
    const stopped = this.targets.link()?.stopJobs(reason) ?? 0;
    const unloaded: string[] = [];
    if (this.settings().freeVramWhenPaused) {
      const loaded = this.targets.models().filter((model) => model.isLoaded);
      for (const model of loaded) this.unloadedByPause.add(model.id);
      await Promise.all(
        loaded.map((model) =>
          model.unload().then(
            () => unloaded.push(model.id),
            (error: unknown) =>
              this.logger.error('could not unload a model', {
                model: model.id,
                error: String(error),
              }),
          ),
        ),
      );
    }
    if (generation !== this.generation) return;
    const report: YieldReport = {
      reason,
      handedBack,
      stopped,
      unloaded,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    this.logger.info('yielded', { ...report, unloaded: unloaded.join(',') });
    this.emit('yielded', report);
  }

  private reloadModels(): void {
    const wanted = this.unloadedByPause;
    this.unloadedByPause = new Set();
    for (const model of this.targets.models()) {
      if (!wanted.has(model.id) || model.isLoaded) continue;
      model.load().then(
        () => this.logger.info('model loaded again', { model: model.id }),
        (error: unknown) =>
          this.logger.error('could not load a model again', {
            model: model.id,
            error: String(error),
          }),
      );
    }
  }
}
