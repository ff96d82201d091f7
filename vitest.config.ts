import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Namespaced and mount-heavy suites share the kernel; two workers fit the 2-core machines.
    maxWorkers: 2,
  },
});
