/**
 * A full garbage collection, run once after PGlite initialises a fresh data folder: its
 * `initdb` runs in a second PGlite instance whose WebAssembly memory (about 500 MB, touched)
 * is garbage once it closes, but V8 does not count that memory as pressure and may keep it
 * for minutes. Node exposes `gc` only behind a flag, which a new context picks up.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Collects garbage on the next macrotask (in the same turn the closed instance is still
 * reachable from the caller's stack and promises); a no-op where the runtime refuses the flag.
 */
export function collectGarbageSoon(): void {
  setTimeout(() => {
    try {
      setFlagsFromString('--expose-gc');
      (runInNewContext('gc') as () => void)();
    } catch {
      // Only memory is at stake.
    }
  }, 0).unref();
}
