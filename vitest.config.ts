import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-world suite has its own entry (vitest.realworld.config.ts).
    exclude: [...configDefaults.exclude, 'test/realworld/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Namespaced and mount-heavy suites share the kernel; two workers fit the 2-core machines.
    maxWorkers: 2,
  },
});
