/** The one node-llama-cpp runtime of this process, loaded on first use. */
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import type { Logger } from '../../../common/log.js';

let runtime: Promise<Llama> | undefined;

/**
 * Loads node-llama-cpp with the best prebuilt backend for this machine (CUDA, Vulkan or
 * Metal, else CPU). It never builds from source and never downloads.
 */
export function loadLlama(logger: Logger, gpu: 'auto' | false = 'auto'): Promise<Llama> {
  runtime ??= getLlama({
    gpu,
    build: 'never',
    logLevel: LlamaLogLevel.warn,
    logger: (level, message) => {
      const text = message.trim();
      if (text) logger.debug('llama.cpp', { level, message: text });
    },
  }).catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}
