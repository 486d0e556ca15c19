import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const ENTRY = pathToFileURL(path.join(here, '../src/index.ts')).href;
const HEAVY = [/\/node_modules\/pg\//, /\/node_modules\/@electric-sql\/pglite\//, /\/node_modules\/aedes\//];

// A module-resolution hook (runs on the loader thread) that appends every resolved URL to a file.
const HOOKS = `import { appendFileSync } from 'node:fs';
let out;
export async function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(out, r.url + '\\n');
  return r;
}`;

const dir = mkdtempSync(path.join(tmpdir(), 'basin-entry-weight-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The modules (ESM resolved + CommonJS required) a fresh Node process loads for `code`. */
async function modulesLoadedBy(code: string): Promise<string[]> {
  const out = path.join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(out, '');
  const hooks = path.join(dir, 'hooks.mjs');
  writeFileSync(hooks, HOOKS);
  const register = `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { out: ${JSON.stringify(out)} } });`;
  const script = `${code}
const { createRequire } = await import('node:module');
process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
  const { stdout } = await run(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: path.join(here, '..'),
    timeout: 120_000,
  });
  const required = JSON.parse(stdout) as string[];
  return [...readFileSync(out, 'utf8').split('\n').filter(Boolean), ...required];
}

describe('@basin/platform entry', () => {
  it('loads neither PGlite, pg nor aedes for a logger; they load on first use', { timeout: 300_000 }, async () => {
    const light = await modulesLoadedBy(`const p = await import(${JSON.stringify(ENTRY)}); p.createLogger({ level: 'silent' }).info('x');`);
    expect(light.some((u) => u.includes('/node_modules/pino/'))).toBe(true); // the hook saw the graph
    for (const heavy of HEAVY) expect(light.filter((u) => heavy.test(u))).toEqual([]);

    // The check can fail: opening a server pool and starting the broker do load them.
    const used = await modulesLoadedBy(`const p = await import(${JSON.stringify(ENTRY)});
const db = p.openServerDb({ mode: 'server', connectionString: 'postgres://u@127.0.0.1:1/x', poolMax: 1 });
await db.close();
const b = await p.startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
await b.close();`);
    expect(used.some((u) => HEAVY[0]!.test(u))).toBe(true);
    expect(used.some((u) => HEAVY[2]!.test(u))).toBe(true);
  });
});
