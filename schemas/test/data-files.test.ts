import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every reference-data file that code or documentation names must be tracked in git, so a fresh
 * clone has it (the `data/` ignore rule once hid schemas/data from the repository).
 */
const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const tracked = new Set(execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean));

/** `schemas/data/<path>` or a path inside the data directories (`data/domain/...`, `yangtze-basin/...`). */
const REF = /(?:schemas\/)?data\/((?:yangtze-basin|domain)\/[\w.-]+\.(?:geojson|json|md|csv))|(?:^|[\s`'"(/])((?:yangtze-basin|domain)\/[\w.-]+\.(?:geojson|json|md|csv))/g;

function references(): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  for (const file of tracked) {
    if (!/\.(ts|mjs|js|md|json)$/.test(file) || file.startsWith('schemas/data/') || file.endsWith('package-lock.json')) continue;
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(REF)) out.push({ file, target: `schemas/data/${m[1] ?? m[2]}` });
  }
  return out;
}

describe('reference data in git', () => {
  const refs = references();

  it('finds the references (rivers, domain facts) in code and READMEs', () => {
    const targets = new Set(refs.map((r) => r.target));
    expect(targets).toContain('schemas/data/yangtze-basin/rivers.geojson');
    expect(targets).toContain('schemas/data/domain/domain-facts.json');
    expect(refs.some((r) => r.file.endsWith('.md'))).toBe(true);
  });

  it('tracks every referenced data file', () => {
    const missing = refs.filter((r) => !tracked.has(r.target)).map((r) => `${r.file} -> ${r.target}`);
    expect(missing).toEqual([]);
  });

  it('tracks the data directory with its source notes', () => {
    for (const f of ['schemas/data/SOURCE.md', 'schemas/data/domain/domain-facts.json', 'schemas/data/domain/domain-facts.md']) expect(tracked.has(f), f).toBe(true);
  });
});
