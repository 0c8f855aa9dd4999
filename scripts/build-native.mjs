// Builds the native addons with node-gyp at install (Linux only): the UDP tracker's batch socket
// (server/udp/native) and the HTTP port's accept loop (server/http/native). Not fatal: without
// them the UDP tracker runs on Node's dgram and the HTTP port on Node's own accept, and the server
// says so at start.
//   node scripts/build-native.mjs        (npm run build:native; run by npm install / npm ci)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const addons = [
  { dir: 'server/udp/native/', what: 'the UDP batch addon', without: 'the UDP tracker will use Node dgram' },
  { dir: 'server/http/native/', what: 'the HTTP accept addon', without: "the HTTP port will use Node's own accept" },
];
if (process.platform !== 'linux') {
  console.log('seedhost: the native addons are for Linux; the UDP tracker will use Node dgram, the HTTP port Node\'s own accept');
  process.exit(0);
}
// npm puts its own node-gyp on the PATH of lifecycle scripts and names it in npm_config_node_gyp
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp && existsSync(gyp) ? [process.execPath, [gyp]] : ['node-gyp', []];
for (const a of addons) {
  const dir = fileURLToPath(new URL(`../${a.dir}`, import.meta.url));
  const r = spawnSync(cmd, [...args, 'rebuild', '--directory', dir], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`seedhost: ${a.what} did not build (${r.error?.message ?? `exit ${r.status}`}); ${a.without}. Needs python3, make and a C compiler.`);
  }
}
