/**
 * The NodeApi verb names, as a runtime list for the preload. common/nodeApi.ts has them too,
 * but only next to zod schemas the sandboxed preload should not carry; `satisfies` makes the
 * compiler fail here when a verb is added to or removed from NodeApi.
 */
import type { NodeApiVerb } from '../common/nodeApi.js';

const VERBS = {
  getStatus: true,
  getSettings: true,
  updateSettings: true,
  setMode: true,
  pause: true,
  resume: true,
  setPrice: true,
  reportSignals: true,
  getStats: true,
  getEarnings: true,
  exportEarningsCsv: true,
  getHardware: true,
  listModels: true,
  downloadModel: true,
  cancelDownload: true,
  serveModel: true,
  runBenchmark: true,
  joinNetwork: true,
  getDiagnostics: true,
  exportDiagnostics: true,
  getLogs: true,
} as const satisfies Record<NodeApiVerb, true>;

export const BRIDGE_VERBS = Object.freeze(Object.keys(VERBS)) as readonly NodeApiVerb[];

export function isBridgeVerb(name: unknown): name is NodeApiVerb {
  return typeof name === 'string' && Object.hasOwn(VERBS, name);
}
