// Builds the UDP tracker's batch addon (server/udp/native, Linux only) with node-gyp at install.
// Not fatal: without it the UDP tracker runs on Node's dgram, and the server says so at start.
//   node scripts/build-native.mjs        (npm run build:native; run by npm install / npm ci)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../server/udp/native/', import.meta.url));
if (process.platform !== 'linux') {
  console.log('seedhost: the UDP batch addon is for Linux; the UDP tracker will use Node dgram');
  process.exit(0);
}
// npm puts its own node-gyp on the PATH of lifecycle scripts and names it in npm_config_node_gyp
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp && existsSync(gyp) ? [process.execPath, [gyp]] : ['node-gyp', []];
const r = spawnSync(cmd, [...args, 'rebuild', '--directory', dir], { stdio: 'inherit' });
if (r.status !== 0) {
  console.log(`seedhost: the UDP batch addon did not build (${r.error?.message ?? `exit ${r.status}`}); the UDP tracker will use Node dgram. Needs python3, make and a C compiler.`);
}
