// docker/nginx.conf under hostile clients (issue 13): a client's Upgrade is dropped outside
// /graphql, requests that make an instance reset never take it out of the rotation, request heads
// are limited in step with seedhost (16 KiB) and a JSON body over 1 MiB gets seedhost's 413.
// Run by docker/check-nginx.mjs on its stack (docker/nginx-stack.mjs).
import http from 'node:http';
import net from 'node:net';
import { announce, check, get, RESET_HEADER } from './nginx-stack.mjs';

const KIB = 1024;
const MIB = 1024 * KIB;
const isBencoded = (r) => r.status === 200 && r.body.subarray(0, 1).toString() === 'd';

/** Sends `head` as is on a new connection; resolves the status and the whole reply once the server ends it or its Content-Length is in. */
function rawRequest(port, head) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(head));
    let buf = Buffer.alloc(0);
    const done = () => {
      s.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(buf.toString('latin1'))?.[1] ?? 0), reply: buf.toString('latin1') });
    };
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(buf.subarray(0, end).toString('latin1'));
      if (end !== -1 && length && buf.length >= end + 4 + Number(length[1])) done();
    });
    s.on('end', done);
    s.on('error', reject);
  });
}

/** POSTs a JSON body of `bytes` to /graphql, with a Content-Length or chunked; resolves { status, body }. */
function postJson(port, bytes, chunked) {
  const body = Buffer.from(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(bytes) } }));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/json', ...(chunked ? {} : { 'Content-Length': body.length }) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    // in 64 KiB writes, so that the reply can come while the body is still on its way
    for (let i = 0; i < body.length; i += 64 * KIB) req.write(body.subarray(i, i + 64 * KIB));
    req.end();
  });
}

/** 20 announces through nginx, from two peers: all answered, and both instances got their share. */
async function checkBothServe(stack, hash, what) {
  const from = stack.taps.map((t) => t.heads.length);
  const replies = [];
  for (let i = 0; i < 20; i++) replies.push(await announce(stack.nginx, hash, 7200 + (i % 2), '127.0.0.8'));
  const served = stack.taps.map((t, i) => t.since(from[i], '/announce').length);
  check(replies.every(isBencoded) && served.every((n) => n >= 5),
    `${what}: 20 announces through nginx are all answered, by both instances (${served.join(' + ')}; HTTP ${[...new Set(replies.map((r) => r.status))]})`);
}

/** Runs the edge checks against a running stack with a published torrent `hash`. */
export async function checkEdge(stack, hash) {
  const { nginx: pn, taps } = stack;
  const mark = () => taps.map((t) => t.heads.length);
  const reached = (from, prefix) => taps.flatMap((t, i) => t.since(from[i], prefix));

  // Upgrade outside /graphql: nginx drops it, so the instance sees a plain GET and answers it
  let from = mark();
  const upgraded = [];
  for (let i = 0; i < 20; i++) {
    const r = await rawRequest(pn, `GET /announce?info_hash=${'%00'.repeat(20)}&peer_id=${'-'.repeat(20)}&port=1&uploaded=0&downloaded=0&left=0 HTTP/1.1\r\n` +
      'Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    upgraded.push(r);
  }
  check(upgraded.every((r) => r.status === 200 && r.reply.includes('failure reason')),
    `20 announces carrying Upgrade through nginx each get the tracker's answer (HTTP ${[...new Set(upgraded.map((r) => r.status))]})`);
  const forwarded = reached(from, '/announce');
  check(forwarded.length === 20 && forwarded.every((h) => !h.head.includes('\r\nupgrade:') && !/\r\nconnection:[^\r]*upgrade/.test(h.head)),
    'nginx forwards neither Upgrade nor Connection: upgrade outside /graphql');
  await checkBothServe(stack, hash, 'after 20 Upgrade requests');

  // requests that make an instance reset (the tap resets them, as a crash would): their clients
  // get 502, the instances stay in the rotation for everyone else
  from = mark();
  const resets = [];
  for (let i = 0; i < 10; i++) resets.push(await get(pn, '/announce?reset', { headers: { [RESET_HEADER]: '1' } }));
  check(resets.every((r) => r.status === 502) && reached(from, '/announce?reset').length >= 10,
    `10 requests that make the instances reset reach them and get 502 (HTTP ${[...new Set(resets.map((r) => r.status))]})`);
  await checkBothServe(stack, hash, 'right after 10 requests that reset the instances');

  // request heads: up to 16 KiB per line passes to seedhost, a longer line is refused by nginx
  const padded = (probe, pad, name = 'X-Pad') => announce(pn, hash, 7300, '127.0.0.9', { [name]: 'p'.repeat(pad), 'X-Probe': probe });
  const reachedProbe = (f, probe) => reached(f, '/announce').some((h) => h.head.includes(`\r\nx-probe: ${probe}`));
  from = mark();
  const head15 = await padded('15k', 15 * KIB);
  check(isBencoded(head15) && reachedProbe(from, '15k'), `a 15 KiB header line passes nginx and gets the announce answered (HTTP ${head15.status})`);
  const url15 = await get(pn, `/announce?pad=${'u'.repeat(15 * KIB)}&info_hash=${'%00'.repeat(20)}`);
  check(url15.status === 200 && url15.body.includes('failure reason'), `a 15 KiB request line passes nginx to the tracker (HTTP ${url15.status})`);
  const node15 = await get(pn, '/healthz', { headers: { 'X-Pad': 'p'.repeat(15 * KIB) } });
  check(node15.status === 200, `a 15 KiB head passes nginx to Node's parser too (/healthz, HTTP ${node15.status})`);
  from = mark();
  const head17 = await padded('17k', 17 * KIB);
  check(head17.status === 400 && !reachedProbe(from, '17k'), `a 17 KiB header line is refused by nginx with 400 and never reaches seedhost (HTTP ${head17.status})`);
  const url17 = await get(pn, `/announce?pad=${'u'.repeat(17 * KIB)}`);
  check(url17.status === 414 && reached(from, '/announce?pad=').length === 0, `a 17 KiB request line is refused by nginx with 414 (HTTP ${url17.status})`);
  const many = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X-Pad-${i}`, 'm'.repeat(4 * KIB - 20)]));
  const node20 = await get(pn, '/healthz', { headers: many(5) });
  // seedhost's own refusal: 431, or (today) its bencoded `malformed HTTP request` on every path
  const refused = (r) => (r.status === 431 || (r.status === 200 && r.body.includes('failure reason'))) && !r.body.includes('"status"');
  check(refused(node20), `a 20 KiB head of 4 KiB lines passes nginx and seedhost refuses it (HTTP ${node20.status}: ${node20.body.slice(0, 40)})`);
  from = mark();
  const node40 = await get(pn, '/healthz', { headers: many(10) });
  check(node40.status === 400 && reached(from, '/healthz').length === 0, `a 40 KiB head is refused by nginx with 400 (HTTP ${node40.status})`);

  // a JSON body over MAX_JSON_BODY (1 MiB): seedhost's 413 comes back through nginx
  for (const chunked of [false, true]) {
    const r = await postJson(pn, 1.5 * MIB, chunked);
    check(r.status === 413 && r.body.includes('PAYLOAD_TOO_LARGE'),
      `a 1.5 MiB JSON body to /graphql (${chunked ? 'chunked' : 'Content-Length'}) gets seedhost's 413 through nginx (HTTP ${r.status}: ${r.body.slice(0, 60)})`);
  }
  await checkBothServe(stack, hash, 'after oversized heads and bodies');

  // without failure accounting a dead instance is still passed over: its port refuses, nginx
  // retries on the other (last: the first instance stays unreachable)
  taps[0].close();
  from = mark();
  const alone = [];
  for (let i = 0; i < 20; i++) alone.push(await announce(pn, hash, 7400, '127.0.0.10'));
  check(alone.every(isBencoded) && taps[1].since(from[1], '/announce').length === 20,
    `with one instance gone, 20 announces through nginx are all answered by the other (HTTP ${[...new Set(alone.map((r) => r.status))]})`);
}
