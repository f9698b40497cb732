import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['src/**/*.spec.ts'], environment: 'node', sequence: { groupOrder: 0 } },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          setupFiles: ['test/support/redis-key-cleanup.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each file starts real server processes; on 2 cores, running two files at once is
          // the most that keeps timings honest.
          maxWorkers: 2,
          pool: 'forks',
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
