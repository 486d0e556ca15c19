// Writes schemas/json/*.schema.json from the zod wire schemas (`npm run schemas:json`).
// A test (json-schema.test.ts) fails when the checked-in files are not current.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderJsonSchemas } from '../src/json-schema.js';

const dir = fileURLToPath(new URL('../json/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [file, text] of Object.entries(renderJsonSchemas())) {
  writeFileSync(dir + file, text);
  process.stdout.write(`wrote schemas/json/${file}\n`);
}
