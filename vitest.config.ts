import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Separate processes keep native llama.cpp state apart; two workers match the 2-core CI
    // machines so inference tests do not oversubscribe the CPU.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
