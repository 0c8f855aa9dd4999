#!/usr/bin/env node
// Checks docker/nginx.conf without Docker: nginx on a free port in front of two local seedhost
// processes that share one SQLite file, one DATA_DIR and one Redis (docker/nginx-stack.mjs).
// Proves uploads over 1 MB stream through, webseed content published through one instance is
// served by both, announces reach both with the client's address, WebSocket subscriptions
// upgrade, and both instances serve one swarm; then the edge under hostile clients
// (docker/check-nginx-edge.mjs). Needs nginx on PATH (Debian: nginx-light), Redis (REDIS_URL,
// default redis://127.0.0.1:6379) and `npm run build` done. NGINX_CONF=file checks another config.
// Usage: node docker/check-nginx.mjs
import WebSocket from 'ws';
import { checkEdge } from './check-nginx-edge.mjs';
import { announce, check, get, raw, startStack, waitFor, waitForAsync } from './nginx-stack.mjs';

const stack = await startStack();
try {
  const { instances: [p1, p2], nginx: pn, taps } = stack;
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

  for (const port of [p1, p2]) { // the other instance hears of the new torrent through Redis at once
    let r;
    await waitForAsync(async () => (r = await get(port, `/webseed/${hash}/check.bin`)).status === 200);
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
  check(taps.some((t) => t.heads.some((h) => h.path === '/graphql' && h.head.includes('\r\nupgrade: websocket') && /\r\nconnection: upgrade/.test(h.head))),
    'nginx forwards Upgrade and Connection: upgrade on /graphql');
  ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { swarmUpdated(infoHash: "${hash}") { leechers } }` } }));

  const first = await announce(pn, hash, 7001, '127.0.0.5');
  check(first.status === 200 && first.body.includes('8:intervali'), 'an announce through nginx gets a bencoded reply');
  const replies = [];
  for (let i = 0; i < 4; i++) replies.push((await announce(pn, hash, 7002, '127.0.0.6')).body);
  check(replies.some((b) => b.includes('2:ip9:127.0.0.5')), 'peers are recorded with the address nginx saw');
  check(!replies.some((b) => b.includes('6.6.6.6')), "a client's own X-Forwarded-For is not believed");
  const scrapes = [];
  for (const port of [p1, p2]) scrapes.push(Buffer.from(await (await fetch(`http://127.0.0.1:${port}/scrape?info_hash=${raw(hash)}`)).arrayBuffer()));
  check(scrapes.every((b) => b.includes('10:incompletei2e')) && scrapes[0].equals(scrapes[1]), `both instances scrape one swarm of 2 leechers (${scrapes.map(String).join(' | ')})`);
  // graphql-ws does not acknowledge a subscribe: a new leecher each turn until the update comes
  let extra = 7003;
  const updated = await waitForAsync(async () => messages.some((m) => m.type === 'next') || void await announce(pn, hash, extra++, '127.0.0.7'));
  check(updated, 'the subscription gets swarm updates over the proxied WebSocket');
  ws.close();
  await checkEdge(stack, hash);
  console.log('nginx.conf check passed');
} finally {
  await stack.stop();
}
