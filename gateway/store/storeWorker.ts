/**
 * The gateway's database thread: PGlite runs its queries synchronously inside WebAssembly,
 * so on the serving thread every usage write would stall every client. Here it runs beside
 * the event loop. Calls are taken in the order they arrive and started at once, so the
 * store's own ordering (reads after the usage rows written before them) holds.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGDATA_IMAGE_FILE } from './pgdataImage.js';
import { openStore } from './pgliteStore.js';
import {
  STORE_METHODS,
  toWireError,
  type StoreAnswer,
  type StoreCall,
  type StoreReady,
} from './storeWire.js';
import type { GatewayStore } from './types.js';

const port = parentPort!;
const methods = new Set<string>(STORE_METHODS);
const { dataDir } = workerData as { dataDir: string | null };

let store: GatewayStore;
try {
  // Built as out/main/store-worker.js, beside the image that `npm run build` makes.
  store = await openStore(dataDir, { image: new URL(PGDATA_IMAGE_FILE, import.meta.url) });
} catch (error) {
  port.postMessage({ ready: false, error: toWireError(error) } satisfies StoreReady);
  process.exit(1);
}

port.on('message', (call: StoreCall) => {
  const answer = (message: StoreAnswer): void => port.postMessage(message);
  if (!methods.has(call.method)) {
    answer({ id: call.id, error: { kind: 'type', message: `No store method '${call.method}'` } });
    return;
  }
  let result: Promise<unknown>;
  try {
    result = (store[call.method] as (...args: unknown[]) => Promise<unknown>)(...call.args);
  } catch (error) {
    result = Promise.reject(error);
  }
  result.then(
    (value) => answer({ id: call.id, value }),
    (error: unknown) => answer({ id: call.id, error: toWireError(error) }),
  );
});
port.postMessage({ ready: true } satisfies StoreReady);
