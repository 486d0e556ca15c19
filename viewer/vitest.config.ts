import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'viewer', include: ['src/**/*.test.ts'], environment: 'node' },
});
