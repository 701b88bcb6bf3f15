/**
 * The `NodeApi` verbs that act on the machine rather than on settings: hardware, the models
 * folder and downloads, serving models, the benchmark, joining a network, and "Why am I not
 * earning?" with its redacted bundle and the recent logs.
 */
import type { ModelLibrary, NodeApi } from '../../../common/nodeApi.js';
import { JOIN_FAILED } from '../../../common/errorCodes.js';
import { errorText } from '../../../common/log.js';
import { ApiError } from '../../../common/openaiErrors.js';
import { effectivePrice } from '../../../common/settings.js';
import { VERSION } from '../../../common/version.js';
import { diagnose } from '../diagnostics/diagnose.js';
import { redactedBundle } from '../diagnostics/redact.js';
import { EnrollmentError, readEnrollment } from '../link/enrollment.js';
import { benchmarkModel } from '../models/benchmark.js';
import { catalogFor } from '../models/catalog.js';
import { estimateHourly } from '../pricing/estimates.js';
import type { EngineParts } from './engineParts.js';
import { statusSnapshot } from './statusSnapshot.js';

type Operations = Pick<
  NodeApi,
  | 'getHardware'
  | 'listModels'
  | 'downloadModel'
  | 'cancelDownload'
  | 'serveModel'
  | 'runBenchmark'
  | 'joinNetwork'
  | 'getDiagnostics'
  | 'exportDiagnostics'
  | 'getLogs'
>;

const HOUR_MS = 3_600_000;

async function library(engine: EngineParts): Promise<ModelLibrary> {
  const [installed, hardware] = await Promise.all([
    engine.folder.listInstalled(),
    engine.hardware(),
  ]);
  return {
    folder: engine.folder.folder,
    installed: installed.map((file) => ({
      ...file,
      served: engine.served.get(file.id) !== undefined,
    })),
    downloads: engine.downloads.list(),
    catalog: catalogFor(hardware),
  };
}

/** Builds the diagnosis from a fresh status snapshot. */
async function diagnosis(engine: EngineParts) {
  const [status, hardware, enrollment] = await Promise.all([
    Promise.resolve(statusSnapshot(engine)),
    engine.hardware(),
    readEnrollment(engine.options.dataDir).catch(() => null),
  ]);
  const checks = diagnose({
    hardware,
    status,
    enrolled: enrollment !== null,
    recentErrors: engine.logRing.errorsSince(Date.now() - HOUR_MS),
  });
  return { status, hardware, checks };
}

export function createOperations(engine: EngineParts): Operations {
  const { settings } = engine.options;
  return {
    getHardware: () => engine.hardware(),
    listModels: () => library(engine),
    downloadModel: async (args) => engine.downloads.start(args),
    cancelDownload: async ({ id }) => engine.downloads.cancel(id),
    serveModel: async ({ id, serve }) => {
      const chosen = settings.get().servedModels.filter((served) => served !== id);
      if (serve) {
        const file = await engine.folder.find(id);
        if (!file && !engine.served.get(id)) {
          throw ApiError.invalidRequest(
            `No model '${id}' in ${engine.folder.folder}`,
            'id',
            'model_not_found',
          );
        }
        if (file) await engine.served.add(engine.folder.pathOf(file.file));
        settings.update({ servedModels: file ? [...chosen, id] : chosen });
      } else {
        settings.update({ servedModels: chosen });
        await engine.served.remove(id);
      }
      return library(engine);
    },
    runBenchmark: async ({ model }) => {
      const host = engine.served.get(model);
      if (!host) {
        throw ApiError.invalidRequest(
          `Model '${model}' is not served; serve it first`,
          'model',
          'model_not_found',
        );
      }
      const measured = await benchmarkModel(host);
      const current = settings.get();
      const { earningsPerHour } = estimateHourly({
        price: effectivePrice(current.pricing, model),
        tokensPerSecond: measured.tokensPerSecond,
        feeBasisPoints: engine.link?.status.feeBasisPoints ?? null,
        electricity: current.pricing.electricity,
        measuredWatts: null,
      });
      return { model, ...measured, earningsPerHour };
    },
    joinNetwork: async ({ gatewayURL, code, name, insecure }) => {
      try {
        await engine.join(
          { gatewayURL, code, name, insecure },
          { agent: `byoi-node/${VERSION}`, startupTimeoutMs: 30_000 },
        );
      } catch (error) {
        throw ApiError.invalidRequest(
          errorText(error),
          'code',
          error instanceof EnrollmentError && error.code ? error.code : JOIN_FAILED,
        );
      }
      return statusSnapshot(engine).link;
    },
    getDiagnostics: async () => (await diagnosis(engine)).checks,
    exportDiagnostics: async () => {
      const { status, hardware, checks } = await diagnosis(engine);
      return redactedBundle({
        status,
        settings: settings.get(),
        checks,
        logs: engine.logRing.entries(500),
        hardware,
      });
    },
    getLogs: async ({ limit }) => engine.logRing.entries(limit ?? 200),
  };
}
