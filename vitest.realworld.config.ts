import { defineConfig } from 'vitest/config';

// `npm run test:realworld`: the real-world Dockerfile suite, apart from `npm test` because it
// downloads from Debian's archive and the npm registry and takes minutes.
export default defineConfig({
  test: {
    include: ['test/realworld/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    maxWorkers: 1,
  },
});
