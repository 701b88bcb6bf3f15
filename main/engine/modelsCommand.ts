/**
 * `byoi-node models …`: getting a model onto a headless node. `pull` goes through the same
 * resumable, checksummed downloader as the dashboard's Models page; `write-test-model`
 * writes the generated tiny model, for trying the node with no download at all.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../../common/log.js';
import { UsageError } from './cliErrors.js';
import type { ModelsConfig } from './modelsArgs.js';
import { CATALOG } from './models/catalog.js';
import { ModelDownloads } from './models/modelDownloader.js';
import { modelsFolder } from './models/modelLibrary.js';
import { progressPrinter } from './models/progressBar.js';
import { TINY_SHAPE, writeTinyModel } from './models/tinyModel.js';

/** The file name `write-test-model` uses in the models folder. */
export const TEST_MODEL_FILE = 'byoi-tiny-test.gguf';

interface Output {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

function serveHint(path: string, dataDir: string): string {
  const inFolder = dirname(path) === modelsFolder(dataDir);
  return (
    `Serve it with: byoi-node --model ${JSON.stringify(path)}\n` +
    (inFolder ? "It is in the models folder, so the dashboard's Models page lists it too.\n" : '')
  );
}

/** What `pull` fetches: a catalog entry by id (any case), or a URL as given. */
export function pullSource(source: string): { url: string; sha256?: string; name: string } {
  const entry = CATALOG.find((model) => model.id.toLowerCase() === source.toLowerCase());
  if (entry)
    return { url: entry.url, name: entry.name, ...(entry.sha256 ? { sha256: entry.sha256 } : {}) };
  if (/^https?:\/\//i.test(source)) return { url: source, name: source };
  throw new UsageError(
    `'${source}' is neither a catalog model nor an http(s) URL; the catalog has: ${CATALOG.map((model) => model.id).join(', ')}`,
  );
}

async function pull(
  config: Extract<ModelsConfig, { action: 'pull' }>,
  logger: Logger,
  out: Output,
): Promise<number> {
  const source = pullSource(config.source);
  const folder = modelsFolder(config.dataDir);
  const downloads = new ModelDownloads({ folder, logger, userAgent: 'byoi-node' });
  const bar = progressPrinter(out.stderr);
  downloads.on('change', (view) => bar.update(view));
  const view = downloads.start({
    url: source.url,
    ...((config.sha256 ?? source.sha256) ? { sha256: config.sha256 ?? source.sha256 } : {}),
  });
  out.stderr.write(`Downloading ${source.name} into ${folder}\n`);
  const cancel = () => downloads.cancel(view.id);
  process.once('SIGINT', cancel);
  const end = await downloads.settled(view.id);
  process.off('SIGINT', cancel);
  bar.done(end);
  if (end.state === 'done') {
    const path = join(folder, end.file);
    out.stdout.write(`Downloaded ${path}\n${serveHint(path, config.dataDir)}`);
    return 0;
  }
  if (end.state === 'cancelled') {
    out.stderr.write('Stopped. The part is kept: run the same command again to resume.\n');
    return 130;
  }
  out.stderr.write(`byoi-node: ${end.error ?? 'the download failed'}\n`);
  return 1;
}

/** Runs a `models` command; resolves with the exit code. */
export async function modelsCommand(
  config: ModelsConfig,
  logger: Logger,
  out: Output = process,
): Promise<number> {
  if (config.action === 'pull') return pull(config, logger, out);
  const path = config.path ?? join(modelsFolder(config.dataDir), TEST_MODEL_FILE);
  const existed = existsSync(path);
  writeTinyModel(path, TINY_SHAPE, config.template);
  out.stdout.write(
    `${existed ? 'The test model is already at' : 'Wrote the test model to'} ${path}\n` +
      'It is a 0.5 MB model with random weights: it answers gibberish, fast, for trying the node.\n' +
      serveHint(path, config.dataDir),
  );
  return 0;
}
