import path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import basin from './dependency-direction.js';

const root = path.resolve(import.meta.dirname, '../..');

function lint(file: string, code: string): string[] {
  const linter = new Linter({ cwd: root });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser as Linter.Parser, sourceType: 'module' },
        plugins: { basin },
        rules: { 'basin/dependency-direction': 'error' },
      },
    ],
    path.join(root, file),
  );
  return messages.map((m) => m.message);
}

describe('dependency-direction lint rule', () => {
  it.each([
    ['schemas/src/x.ts', "import { z } from 'zod';"],
    ['schemas/src/x.ts', "import { METRICS } from './metrics.js';"],
    ['platform/src/x.ts', "import { Reading } from '@basin/schemas'; import pg from 'pg'; import fs from 'node:fs';"],
    ['ingest/src/x.ts', "import { Reading } from '@basin/schemas'; import { openDb } from '@basin/platform';"],
    ['ingest/test/x.test.ts', "import { startMosquitto } from '@basin/platform/testing'; import fc from 'fast-check';"],
    ['twin-engine/src/x.ts', "import Fastify from 'fastify';"],
    ['viewer/src/x.ts', "import { METRICS } from '@basin/schemas'; import * as Cesium from 'cesium';"],
    ['schemas/src/x.test.ts', "import { it } from 'vitest';"],
  ])('allows %s: %s', (file, code) => {
    expect(lint(file, code)).toEqual([]);
  });

  it.each([
    ['schemas/src/x.ts', "import pino from 'pino';", /schemas may import only zod/],
    ['schemas/src/x.ts', "import { x } from '@basin/platform';", /schemas may import only zod/],
    ['ingest/src/x.ts', "import { start } from '@basin/twin-engine';", /must not import another service/],
    ['twin-engine/src/x.ts', "export * from '@basin/ingest';", /must not import another service/],
    ['sensors-sim/src/x.ts', "const m = await import('@basin/ingest');", /must not import another service/],
    ['ingest/src/x.ts', "import { x } from '../../twin-engine/src/server.js';", /leaves the ingest workspace/],
    ['ingest/src/x.ts', "import { x } from '@basin/schemas/src/reading.js';", /no internals/],
    ['viewer/src/x.ts', "import fs from 'node:fs';", /no Node built-in/],
    ['viewer/src/x.ts', "import { openDb } from '@basin/platform';", /only @basin\/schemas/],
    ['platform/src/x.ts', "import { start } from '@basin/ingest';", /platform may import only @basin\/schemas/],
    ['ingest/test/x.test.ts', "import { start } from '@basin/sensors-sim';", /must not import another service/],
  ])('rejects %s: %s', (file, code, message) => {
    const msgs = lint(file, code);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(message);
  });
});
