#!/usr/bin/env node
// Checks docker/nginx.conf without Docker: nginx on a free port in front of two local seedhost
// processes that share one SQLite file, one DATA_DIR and one Redis (as the compose instances share
// MariaDB, a volume and Redis). Proves uploads over 1 MB stream through, webseed content published through one
// instance is served by both, announces reach both with the client's address, and WebSocket
// subscriptions upgrade, and both instances serve one swarm. Needs nginx on PATH (Debian: nginx-light),
// Redis (REDIS_URL, default redis://127.0.0.1:6379) and `npm run build` done.
// Usage: node docker/check-nginx.mjs
import { spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'seedhost-nginx-'));
const children = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
function check(ok, what) {
  if (!ok) throw new Error(`FAILED: ${what}`);
  console.log(`ok - ${what}`);
}
async function waitFor(predicate, ms = 5000) {
  for (const end = Date.now() + ms; !predicate() && Date.now() < end;) await sleep(50);
  return predicate();
}
async function waitHealthy(port) {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return; } catch { /* not up yet */ }
    await sleep(200);
  }
  throw new Error(`nothing healthy on port ${port}`);
}
/** GET through nginx from a chosen loopback source address, with extra headers. */
function get(port, pathAndQuery, { from = '127.0.0.1', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: pathAndQuery, localAddress: from, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}
const raw = (hex) => hex.replace(/../g, '%$&');
const announce = (port, hash, peerPort, from, left = 100) => get(port,
  `/announce?info_hash=${raw(hash)}&peer_id=${raw(Buffer.from(`-XX0001-${peerPort}`.padEnd(20, 'x')).toString('hex'))}` +
  `&port=${peerPort}&uploaded=0&downloaded=0&left=${left}&compact=0`, { from, headers: { 'X-Forwarded-For': '6.6.6.6' } });

try {
  const [p1, p2, pn] = [await freePort(), await freePort(), await freePort()];
  const conf = readFileSync(path.join(root, 'docker', 'nginx.conf'), 'utf8')
    .replace('seedhost1:8080', `127.0.0.1:${p1}`).replace('seedhost2:8080', `127.0.0.1:${p2}`)
    .replace('listen 8080;', `listen 127.0.0.1:${pn};`).replace('/tmp/nginx.pid', path.join(tmp, 'nginx.pid'));
  writeFileSync(path.join(tmp, 'nginx.conf'), conf);
  const t = spawnSync('nginx', ['-t', '-p', tmp, '-c', path.join(tmp, 'nginx.conf')], { encoding: 'utf8' });
  check(t.status === 0, `nginx -t accepts the config${t.status === 0 ? '' : `\n${t.stderr}`}`);

  const env = {
    ...process.env, DATA_DIR: path.join(tmp, 'data'), DATABASE_URL: `sqlite:${path.join(tmp, 'data', 'seedhost.db')}`,
    PUBLIC_URL: `http://127.0.0.1:${pn}`, TRUSTED_PROXIES: '127.0.0.1', ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'check-nginx-pw',
    // as in compose: both instances on one Redis (a prefix of their own), so they serve one swarm
    SYNC_INTERVAL: '60', LOG_LEVEL: 'warn', REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `check-nginx-${process.pid}:`,
  };
  for (const port of [p1, p2]) { // one after the other, as compose starts them (migrations once)
    children.push(spawn(process.execPath, ['dist/server/main.js'], { cwd: root, env: { ...env, PORT: String(port) }, stdio: 'inherit' }));
    await waitHealthy(port);
  }
  children.push(spawn('nginx', ['-p', tmp, '-c', path.join(tmp, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' }));
  await waitHealthy(pn);
  const base = `http://127.0.0.1:${pn}`;

  const login = await (await fetch(`${base}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: 'mutation { login(username: "admin", password: "check-nginx-pw") { token } }' }) })).json();
  const token = login.data.login.token;
  const content = Buffer.alloc(3 * 1024 * 1024 + 7, 'seedhost ');
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: 'mutation($f: [Upload!]!) { uploadTorrent(files: $f) { infoHash name } }', variables: { f: [null] } }));
  form.append('map', JSON.stringify({ 0: ['variables.f.0'] }));
  form.append('0', new Blob([content]), 'check.bin');
  const res = await fetch(`${base}/graphql`, { method: 'POST', body: form,
    headers: { Authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
  const text = await res.text();
  const hash = res.ok ? JSON.parse(text).data?.uploadTorrent?.infoHash : undefined;
  check(typeof hash === 'string', `a 3 MB upload passes through nginx (HTTP ${res.status}: ${text.slice(0, 80).trim()})`);

  await sleep(300); // the other instance hears of the new torrent through Redis at once
  for (const port of [p1, p2]) {
    const r = await get(port, `/webseed/${hash}/check.bin`);
    check(r.status === 200 && r.body.equals(content), `instance on ${port} serves the webseed content (shared DATA_DIR)`);
  }
  const ranged = await get(pn, `/webseed/${hash}/check.bin`, { headers: { Range: 'bytes=10-19' } });
  check(ranged.status === 206 && ranged.body.equals(content.subarray(10, 20)), 'a Range request through nginx gets 206 and the bytes');

  check((await get(pn, '/metrics')).status === 404, 'nginx keeps /metrics off the public edge');
  check((await get(p1, '/metrics')).status === 200, 'an instance serves /metrics on its own address');

  const ws = new WebSocket(`ws://127.0.0.1:${pn}/graphql`, 'graphql-transport-ws');
  const messages = [];
  ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  ws.on('close', (code, reason) => messages.push({ closed: code, reason: reason.toString() }));
  ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  check(await waitFor(() => messages.some((m) => m.type === 'connection_ack')), `a graphql-ws WebSocket upgrades through nginx (${JSON.stringify(messages)})`);
  ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { swarmUpdated(infoHash: "${hash}") { leechers } }` } }));
  await sleep(200); // the subscription is set up before the announces below

  const first = await announce(pn, hash, 7001, '127.0.0.5');
  check(first.status === 200 && first.body.includes('8:intervali'), 'an announce through nginx gets a bencoded reply');
  const replies = [];
  for (let i = 0; i < 4; i++) replies.push((await announce(pn, hash, 7002, '127.0.0.6')).body);
  check(replies.some((b) => b.includes('2:ip9:127.0.0.5')), 'peers are recorded with the address nginx saw');
  check(!replies.some((b) => b.includes('6.6.6.6')), "a client's own X-Forwarded-For is not believed");
  const scrapes = [];
  for (const port of [p1, p2]) scrapes.push(Buffer.from(await (await fetch(`http://127.0.0.1:${port}/scrape?info_hash=${raw(hash)}`)).arrayBuffer()));
  check(scrapes.every((b) => b.includes('10:incompletei2e')) && scrapes[0].equals(scrapes[1]), `both instances scrape one swarm of 2 leechers (${scrapes.map(String).join(' | ')})`);
  check(await waitFor(() => messages.some((m) => m.type === 'next')), 'the subscription gets swarm updates over the proxied WebSocket');
  ws.close();
  console.log('nginx.conf check passed');
} finally {
  for (const c of children.reverse()) c.kill('SIGTERM');
  await sleep(500);
  rmSync(tmp, { recursive: true, force: true });
  const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  for (let cursor = '0', keys; ; ) { // the check's own keys only
    [cursor, keys] = await redis.scan(cursor, 'MATCH', `check-nginx-${process.pid}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    if (cursor === '0') break;
  }
  redis.disconnect();
}
