/**
 * `npm run bench -- NAME [args]` runs bench/NAME.ts (each benchmark prints its figures and ends
 * with one JSON line). `npm run bench` with no name lists them.
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const benches = readdirSync('bench').filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3));
const [name, ...args] = process.argv.slice(2);
if (!name || !benches.includes(name)) {
  process.stdout.write(`usage: npm run bench -- NAME [args]\nbenchmarks: ${benches.join(', ') || '(none)'}\n`);
  process.exit(name ? 2 : 0);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', `${name}.ts`), ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
