/**
 * The NodeApi verb names, as a runtime list with no zod: the sandboxed preload checks verbs
 * against it without carrying the schemas. common/nodeApi.ts ties its schemas to this list
 * (`satisfies`), so adding a verb in one place and not the other fails to compile.
 */

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
} as const;

/** One verb of the node's API. */
export type NodeApiVerb = keyof typeof VERBS;

/** Every verb, in a fixed order. */
export const NODE_API_VERBS = Object.freeze(Object.keys(VERBS)) as readonly NodeApiVerb[];

/** Whether `name` is a verb of the node's API (own keys only: never `toString` or `__proto__`). */
export function isNodeApiVerb(name: unknown): name is NodeApiVerb {
  return typeof name === 'string' && Object.hasOwn(VERBS, name);
}
