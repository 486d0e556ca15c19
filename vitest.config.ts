import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['schemas', 'platform', 'sensors-sim', 'ingest', 'twin-engine', 'viewer', 'e2e', 'tools'],
  },
});
