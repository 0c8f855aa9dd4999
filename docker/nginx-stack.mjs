// The compose stack without Docker, for docker/check-nginx.mjs: docker/nginx.conf (or the file
// NGINX_CONF names) on a free port in front of two local seedhost processes that share one SQLite
// file, one DATA_DIR and one Redis (as the compose instances share MariaDB, a volume and Redis).
// Between nginx and each instance sits a tap: a TCP relay that records every request head nginx
// sends, and resets the connection, as a crashing instance would, when a head carries RESET_HEADER.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A request head with this header makes the tap reset nginx's connection instead of relaying it. */
export const RESET_HEADER = 'x-check-reset';
// anywhere in the stream: a head may follow a body's last byte directly
const REQUEST_LINE = /([A-Z]+) (\/\S*) HTTP\/1\.[01]\r\n/;
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export function check(ok, what) {
  if (!ok) throw new Error(`FAILED: ${what}`);
  console.log(`ok - ${what}`);
}
/** Polls `predicate` until true or `ms` pass (a bound for a busy machine, not a speed check). */
export async function waitFor(predicate, ms = 20_000) {
  for (const end = Date.now() + ms; !predicate() && Date.now() < end;) await sleep(50);
  return predicate();
}
/** waitFor with an async predicate. */
export async function waitForAsync(predicate, ms = 20_000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await predicate()) return true;
  return false;
}
const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
/** Waits until `port` answers /healthz, while `child` runs (a loaded machine may take its time starting it). */
async function waitHealthy(port, child) {
  for (const end = Date.now() + 120_000; child.exitCode === null && child.signalCode === null && Date.now() < end;) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return; } catch { /* not up yet */ }
    await sleep(200);
  }
  throw new Error(`nothing healthy on port ${port} (${child.exitCode === null ? 'still starting' : `exited ${child.exitCode}`})`);
}

/** GET from a chosen loopback source address, with extra headers; resolves { status, headers, body }. */
export function get(port, pathAndQuery, { from = '127.0.0.1', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: pathAndQuery, localAddress: from, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}
export const raw = (hex) => hex.replace(/../g, '%$&');
/** An announce through `port` as peer `peerPort` from loopback address `from` (which claims 6.6.6.6). */
export const announce = (port, hash, peerPort, from = '127.0.0.1', headers = {}) => get(port,
  `/announce?info_hash=${raw(hash)}&peer_id=${raw(Buffer.from(`-XX0001-${peerPort}`.padEnd(20, 'x')).toString('hex'))}` +
  `&port=${peerPort}&uploaded=0&downloaded=0&left=100&compact=0`, { from, headers: { 'X-Forwarded-For': '6.6.6.6', ...headers } });

/** A TCP relay to `target` that records each request head as { method, path, head } (head lower-cased). */
async function startTap(target) {
  const heads = [];
  const sockets = new Set();
  // half-open on both sides: an instance that answers and half-closes while nginx still sends a body
  // (a 413 for an oversized request) has its FIN relayed and the rest of the body still delivered.
  // Without it the relay ended its upstream side on that FIN, the next body chunk failed as a write
  // after end, and nginx saw a reset instead of the instance's answer (a 502 in CI, once).
  const server = net.createServer({ allowHalfOpen: true }, (down) => {
    const up = net.connect({ port: target, host: '127.0.0.1', allowHalfOpen: true });
    down.on('end', () => up.end());
    sockets.add(down).add(up);
    let text = '';
    down.on('data', (chunk) => {
      text += chunk.toString('latin1');
      for (let m; (m = REQUEST_LINE.exec(text)) !== null;) {
        const start = m.index;
        const end = text.indexOf('\r\n\r\n', start);
        if (end === -1) { text = text.slice(start); break; }
        const head = text.slice(start, end).toLowerCase();
        heads.push({ method: m[1], path: m[2], head });
        text = text.slice(end + 4);
        if (head.includes(`\r\n${RESET_HEADER}:`)) { down.resetAndDestroy(); up.destroy(); return; }
      }
      if (text.length > 64 * 1024) text = text.slice(-64); // a body: keep only what may start a head
      up.write(chunk);
    });
    up.pipe(down);
    for (const [a, b] of [[down, up], [up, down]]) {
      a.on('error', () => b.destroy());
      a.on('close', () => { sockets.delete(a); b.destroy(); });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port, heads,
    /** Heads recorded since `from` (an index into heads) whose path starts with `prefix`. */
    since: (from, prefix) => heads.slice(from).filter((h) => h.path.startsWith(prefix)),
    close: () => { for (const s of sockets) s.destroy(); server.close(); },
  };
}

/** Starts both instances, their taps and nginx; `stop()` ends them and deletes the check's files and Redis keys. */
export async function startStack() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'seedhost-nginx-'));
  const children = [];
  const taps = [];
  const prefix = `check-nginx-${process.pid}:`;
  const stop = async () => {
    for (const c of children.reverse()) c.kill('SIGTERM');
    for (const t of taps) t.close();
    await sleep(500);
    rmSync(tmp, { recursive: true, force: true });
    const redis = new Redis(REDIS_URL);
    for (let cursor = '0', keys; ;) { // the check's own keys only
      [cursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      if (cursor === '0') break;
    }
    redis.disconnect();
  };
  try {
    const [p1, p2, pn] = [await freePort(), await freePort(), await freePort()];
    for (const p of [p1, p2]) taps.push(await startTap(p));
    let conf = readFileSync(process.env.NGINX_CONF || path.join(ROOT, 'docker', 'nginx.conf'), 'utf8');
    for (const [from, to] of [['seedhost1:8080', `127.0.0.1:${taps[0].port}`], ['seedhost2:8080', `127.0.0.1:${taps[1].port}`],
      ['listen 8080;', `listen 127.0.0.1:${pn};`], ['/tmp/nginx.pid', path.join(tmp, 'nginx.pid')]]) {
      if (!conf.includes(from)) throw new Error(`nginx.conf has no '${from}' to point at the local stack`);
      conf = conf.replace(from, to);
    }
    writeFileSync(path.join(tmp, 'nginx.conf'), conf);
    const t = spawnSync('nginx', ['-t', '-p', tmp, '-c', path.join(tmp, 'nginx.conf')], { encoding: 'utf8' });
    check(t.status === 0, `nginx -t accepts the config${t.status === 0 ? '' : `\n${t.stderr}`}`);

    const env = {
      ...process.env, DATA_DIR: path.join(tmp, 'data'), DATABASE_URL: `sqlite:${path.join(tmp, 'data', 'seedhost.db')}`,
      PUBLIC_URL: `http://127.0.0.1:${pn}`, TRUSTED_PROXIES: '127.0.0.1', ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'check-nginx-pw',
      // as in compose: both instances on one Redis (a prefix of their own), so they serve one swarm
      SYNC_INTERVAL: '60', LOG_LEVEL: 'warn', REDIS_URL, REDIS_PREFIX: prefix,
    };
    for (const port of [p1, p2]) { // one after the other, as compose starts them (migrations once)
      children.push(spawn(process.execPath, ['dist/server/main.js'], { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: 'inherit' }));
      await waitHealthy(port, children.at(-1));
    }
    children.push(spawn('nginx', ['-p', tmp, '-c', path.join(tmp, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' }));
    await waitHealthy(pn, children.at(-1));
    return { instances: [p1, p2], nginx: pn, base: `http://127.0.0.1:${pn}`, taps, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
