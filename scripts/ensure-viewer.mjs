// Build the viewer when its build is missing or older than its sources (used by `npm start`).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const dist = 'viewer/dist/index.html';
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const srcTime = Math.max(newest('viewer/src'), statSync('viewer/index.html').mtimeMs, newest('schemas/src'));
if (!existsSync(dist) || statSync(dist).mtimeMs < srcTime) {
  process.stdout.write('building the viewer (vite)...\n');
  const r = spawnSync('npm', ['run', 'build', '-w', '@basin/viewer'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
