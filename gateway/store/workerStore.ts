/**
 * The {@link GatewayStore} of a serving gateway: the same PGlite store, opened on a thread
 * of its own (`storeWorker.ts`) and called through messages, so that the database's work
 * never blocks the event loop that relays clients' requests. API-key lookups are cached on
 * this side, as the in-thread store caches them, so the hot path makes no round trip.
 */
import { Worker } from 'node:worker_threads';
import { ApiKeyCache } from './apiKeyCache.js';
import {
  fromWireError,
  STORE_METHODS,
  type StoreAnswer,
  type StoreCall,
  type StoreMethod,
  type StoreReady,
} from './storeWire.js';
import type { GatewayStore } from './types.js';

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * Opens the store at `dataDir` (null: in memory) on the thread `workerURL` (the built
 * `store-worker.js`). Rejects as `openStore` does when the database cannot be opened.
 */
export async function openStoreInWorker(
  dataDir: string | null,
  workerURL: URL,
): Promise<GatewayStore> {
  const worker = new Worker(workerURL, { workerData: { dataDir } });
  const waiting = new Map<number, Waiting>();
  let nextId = 0;
  let stopped: Error | null = null;

  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', (message: StoreReady) => {
      if (message.ready) resolve();
      else reject(fromWireError(message.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`The database thread exited with ${code}`)));
  });
  await ready;

  const stop = (error: Error): void => {
    stopped ??= error;
    for (const { reject } of waiting.values()) reject(stopped);
    waiting.clear();
  };
  worker.on('message', (answer: StoreAnswer) => {
    const call = waiting.get(answer.id);
    if (!call) return;
    waiting.delete(answer.id);
    if ('error' in answer) call.reject(fromWireError(answer.error));
    else call.resolve(answer.value);
  });
  worker.on('error', (error) => stop(new Error(`The database thread failed: ${error.message}`)));
  worker.on('exit', () => stop(new Error('The gateway store is closed')));

  const call = (method: StoreMethod, args: unknown[]): Promise<unknown> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, method, args } satisfies StoreCall);
    });
  };
  const store = Object.fromEntries(
    STORE_METHODS.map((method) => [method, (...args: unknown[]) => call(method, args)]),
  ) as unknown as GatewayStore;

  const apiKeys = new ApiKeyCache(
    (secret) =>
      call('authenticateApiKey', [secret]) as ReturnType<GatewayStore['authenticateApiKey']>,
  );
  let closing: Promise<void> | undefined;
  return {
    ...store,
    authenticateApiKey: (secret) => apiKeys.authenticate(secret),
    revokeApiKey: async (id) => {
      const revoked = (await call('revokeApiKey', [id])) as boolean;
      apiKeys.forget(id);
      return revoked;
    },
    close: () =>
      (closing ??= (async () => {
        try {
          await call('close', []);
        } finally {
          await worker.terminate();
        }
      })()),
  };
}
