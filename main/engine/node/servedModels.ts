/**
 * The models the engine serves right now, which can change while it runs: the files given on
 * the command line, and those the provider turns on in the dashboard. Each is a
 * {@link ModelHost} built from the same defaults; ids are unique.
 */
import type { Logger } from '../../../common/log.js';
import { ApiError } from '../../../common/openaiErrors.js';
import { FileHashes } from '../models/fileHashes.js';
import { ModelHost, modelIdOf, type ModelHostOptions } from '../inference/modelHost.js';
import type { RequestRecord } from '../stats/requestStats.js';

/** What every served model shares: threads, slots, queue, context and GPU use. */
export type ModelDefaults = Omit<ModelHostOptions, 'path' | 'id' | 'logger' | 'onFinished'>;

export class ServedModels {
  private hosts: ModelHost[] = [];
  /** The SHA-256 of each served model's file, by id, once hashed. */
  private readonly hashes = new Map<string, string>();

  constructor(
    private readonly defaults: ModelDefaults,
    private readonly logger: Logger,
    private readonly onFinished: (record: RequestRecord) => void,
    /** Called after the set changed (to announce it). */
    private readonly onChange: () => void,
    /** Hashes the files (in the background, after loading); remembered across restarts. */
    private readonly fileHashes: FileHashes = new FileHashes(),
  ) {}

  /** The SHA-256 of a served model's file; undefined until it has been read. */
  sha256Of(id: string): string | undefined {
    return this.hashes.get(id);
  }

  /** The served models, in the order they were added. */
  list(): readonly ModelHost[] {
    return this.hosts;
  }

  get(id: string): ModelHost | undefined {
    return this.hosts.find((host) => host.id === id);
  }

  /** Serves the file: loads it first, so a broken file never gets announced. */
  async add(path: string): Promise<ModelHost> {
    const id = modelIdOf(path);
    const existing = this.get(id);
    if (existing) return existing;
    const host = new ModelHost({
      ...this.defaults,
      path,
      logger: this.logger,
      onFinished: this.onFinished,
    });
    try {
      await host.load();
    } catch (error) {
      throw ApiError.invalidRequest(
        `could not load model '${id}': ${error instanceof Error ? error.message : String(error)}`,
        'id',
        'model_load_failed',
      );
    }
    if (this.get(id)) {
      await host.unload();
      return this.get(id)!;
    }
    this.hosts = [...this.hosts, host];
    this.logger.info('model served', { model: id });
    this.onChange();
    void this.hashFile(host, path);
    return host;
  }

  /** Announces the model again once its file's hash is known (not before: it may take a while). */
  private async hashFile(host: ModelHost, path: string): Promise<void> {
    try {
      const sha256 = await this.fileHashes.hash(path);
      if (this.get(host.id) !== host) return;
      this.hashes.set(host.id, sha256);
      this.onChange();
    } catch (error) {
      this.logger.warn('could not hash a model file; its answers are not cached', {
        model: host.id,
        error: String(error),
      });
    }
  }

  /** Stops serving a model: no new jobs, running ones are stopped, memory freed. */
  async remove(id: string): Promise<void> {
    const host = this.get(id);
    if (!host) return;
    this.hosts = this.hosts.filter((candidate) => candidate !== host);
    this.hashes.delete(id);
    this.onChange();
    await host.unload();
    this.logger.info('model no longer served', { model: id });
  }

  /** Unloads every model (the engine is stopping). */
  async unloadAll(): Promise<void> {
    await Promise.all(this.hosts.map((host) => host.unload()));
  }
}
