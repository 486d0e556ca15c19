import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderJsonSchemas } from './json-schema.js';

const dir = new URL('../json/', import.meta.url);

describe('JSON Schema export', () => {
  const rendered = renderJsonSchemas();

  it.each(Object.keys(rendered))('checked-in %s is current (run `npm run schemas:json`)', (file) => {
    expect(readFileSync(new URL(file, dir), 'utf8')).toBe(rendered[file]);
  });

  it('has no stale files', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(rendered).sort());
  });

  it('describes the reading batch with its required fields', () => {
    const doc = JSON.parse(rendered['reading-batch.schema.json']!) as { required: string[]; properties: Record<string, unknown> };
    expect(doc.required).toEqual(expect.arrayContaining(['v', 'readings']));
    expect(Object.keys(doc.properties)).toEqual(expect.arrayContaining(['v', 'station', 'readings']));
  });
});
