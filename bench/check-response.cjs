#!/usr/bin/env node
// Sends a few real announce requests with raw-byte peer_ids and strictly bdecodes the replies.
// Checks: HTTP 200, a valid bencoded dict, no 'failure reason', 'interval' is an integer and
// 'peers' is a compact string (length % 6 == 0) or a list. Also reports whether the server keeps
// the connection alive. (Adopted from /work/shared/bench/check-response.js, announce only.)
// Usage: node check-response.cjs ANNOUNCE_URL [count=5]
// Env: BENCH_POOL (required: hex info_hashes, one per line)
'use strict';
const http = require('http');
const fs = require('fs');
const crypto = require('crypto');

const url = new URL(process.argv[2]);
const count = parseInt(process.argv[3] || '5', 10);
const pool = fs.readFileSync(process.env.BENCH_POOL, 'utf8')
  .split(/\s+/).filter(h => /^[0-9a-f]{40}$/i.test(h));

const esc = buf => Array.from(buf, b => /[A-Za-z0-9.\-_~]/.test(String.fromCharCode(b))
  ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');

function bdecode(buf) {
  let i = 0;
  function next() {
    const c = buf[i];
    if (c === 0x69) { // i
      const e = buf.indexOf(0x65, i);
      const s = buf.toString('latin1', i + 1, e);
      if (!/^(0|-?[1-9][0-9]*)$/.test(s)) throw new Error('bad int ' + s);
      i = e + 1; return BigInt(s);
    }
    if (c === 0x6c) { i++; const l = []; while (buf[i] !== 0x65) { if (i >= buf.length) throw new Error('eof'); l.push(next()); } i++; return l; }
    if (c === 0x64) {
      i++; const d = {};
      while (buf[i] !== 0x65) { if (i >= buf.length) throw new Error('eof'); const k = next(); if (!Buffer.isBuffer(k)) throw new Error('non-string key'); d[k.toString('latin1')] = next(); }
      i++; return d;
    }
    if (c >= 0x30 && c <= 0x39) {
      const colon = buf.indexOf(0x3a, i);
      const n = parseInt(buf.toString('latin1', i, colon), 10);
      const s = buf.subarray(colon + 1, colon + 1 + n);
      if (s.length !== n) throw new Error('short string');
      i = colon + 1 + n; return s;
    }
    throw new Error('bad byte at ' + i + ': ' + c);
  }
  const v = next();
  if (i !== buf.length) throw new Error('trailing bytes');
  return v;
}

let agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let closedByServer = 0;
function get1(p) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || 80, path: p, agent, timeout: 5000 }, res => {
      const chunks = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), reused: req.reusedSocket }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', e => { e.reused = req.reusedSocket; reject(e); });
  });
}
// A server that answers HTTP/1.1 without 'Connection: close' and then closes (no keep-alive)
// makes the reused socket fail: count that and retry once on a fresh connection, as clients do.
async function get(p) {
  try { return await get1(p); } catch (e) {
    if (!e.reused) throw e;
    closedByServer++;
    agent.destroy(); agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    return get1(p);
  }
}

const show = v => {
  if (Buffer.isBuffer(v)) return v.length <= 40 && /^[\x20-\x7e]*$/.test(v.toString('latin1')) ? JSON.stringify(v.toString('latin1')) : `<${v.length} bytes>`;
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.length} items]`;
  return '{' + Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ') + '}';
};

(async () => {
  let bad = 0, reused = 0;
  const base = url.pathname + (url.search ? url.search + '&' : '?');
  for (let n = 0; n < count; n++) {
    const ih = Buffer.from(pool[(n * 7919) % pool.length], 'hex');
    const left = n % 3 === 0 ? 0 : 1048576 * (n + 1);
    const p = base + `info_hash=${esc(ih)}&peer_id=${esc(crypto.randomBytes(20))}&port=${20000 + n}` +
      `&uploaded=0&downloaded=0&left=${left}&corrupt=0&key=${crypto.randomBytes(4).toString('hex')}` +
      `${n === 0 ? '&event=started' : ''}&numwant=50&compact=1&no_peer_id=1`;
    let r;
    try { r = await get(p); } catch (e) { console.log(`#${n} request error: ${e.message}`); bad++; continue; }
    if (r.reused) reused++;
    let d, err = null;
    try { d = bdecode(r.body); } catch (e) { err = 'not bencode: ' + e.message; }
    if (!err && (typeof d !== 'object' || Buffer.isBuffer(d) || Array.isArray(d))) err = 'not a dict';
    if (!err && r.status !== 200) err = 'HTTP ' + r.status;
    if (!err && d['failure reason']) err = 'failure reason: ' + d['failure reason'].toString();
    if (!err) {
      if (typeof d.interval !== 'bigint') err = "missing integer 'interval'";
      else if (!(Buffer.isBuffer(d.peers) && d.peers.length % 6 === 0) && !Array.isArray(d.peers)) err = "missing/odd 'peers'";
    }
    if (err) bad++;
    console.log(`#${n} HTTP ${r.status} ${r.body.length}B conn=${r.headers.connection || '-'} reused=${r.reused} ${err ? 'INVALID ' + err + ' raw=' + JSON.stringify(r.body.toString('latin1').slice(0, 120)) : 'ok ' + show(d)}`);
  }
  console.log(`CHECK announce: ${count - bad}/${count} valid; keep-alive: ${reused}/${count - 1} follow-up requests reused the connection` +
    (closedByServer ? `, ${closedByServer} found it closed by the server (no keep-alive, no 'Connection: close' header)` : ''));
  agent.destroy();
  process.exit(bad ? 1 : 0);
})();
