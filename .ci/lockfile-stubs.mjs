// The npm mirror here lacks node-llama-cpp's win/mac/riscv64 prebuilt packages, so
// `npm install` leaves them out of package-lock.json and `npm ci` then refuses the lock as
// out of sync. This adds os/cpu-tagged stub entries, which npm ci skips on other platforms
// and later `npm install` runs keep. Idempotent:  node .ci/lockfile-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lockUrl = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockUrl, 'utf8'));
const parent = lock.packages['node_modules/node-llama-cpp'];
const platforms = { linux: 'linux', mac: 'darwin', win: 'win32' };

let added = 0;
for (const name of Object.keys(parent?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  const [platform, cpu] = name.split('/')[1].split('-'); // e.g. win-x64-cuda → win, x64
  if (lock.packages[key] || !platforms[platform]) continue;
  lock.packages[key] = {
    version: parent.version,
    cpu: [cpu],
    os: [platforms[platform]],
    optional: true,
  };
  added++;
}
if (added) writeFileSync(lockUrl, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} stub entries added`);
