// Type-check every workspace (each has its own tsconfig: services use Node types, the viewer the DOM).
import { spawnSync } from 'node:child_process';
const projects = ['schemas', 'platform', 'sensors-sim', 'ingest', 'twin-engine', 'viewer', '.'];
let failed = 0;
for (const p of projects) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', `${p}/tsconfig.json`], { stdio: 'inherit' });
  process.stdout.write(`typecheck ${p}: ${r.status === 0 ? 'ok' : 'FAILED'}\n`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
