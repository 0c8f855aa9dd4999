#!/usr/bin/env node
// Redis's own cost of the announce script, without the client's noise: runs the Redis store
// in-process (TORRENTS x 60 peers, 30 % seeders, 64 announce loops, numwant 50; CHURN=1: every
// announce a new peer of one address per torrent, each evicting one past the per-address limit,
// as in bench/announce.lua), records BATCHES of the script calls it sends (one per event-loop tick),
// then sends those same calls again, REPS times in turn for this build's script and for each other
// build's named on the command line (their dist/server/redis/announce.lua.js), ROUNDS rounds
// alternated. Prints per script the script's time in Redis per announce (INFO commandstats, evalsha
// usec) and its ratio to this build's. Each resend carries the time of its sending; with CHURN=1
// each announce gets a new port, peer id and key, so it joins again.
// The calls are this build's packing (announce-batch.ts): another build's script must read it.
// CG_PID=<pid of a redis-server under `valgrind --tool=callgrind`>: also the instructions Redis
// ran per announce (callgrind_control), the same from run to run whatever else the machine does.
// Usage: npx tsc -p tsconfig.json && PORT=16391 node bench/redis-script-replay.mjs [../other/dist/server/redis/announce.lua.js ...]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ANNOUNCE_LUA } from '../dist/server/redis/announce.lua.js';
import { RedisPeerStore } from '../dist/server/redis/redis-peer-store.js';
import { AnnounceResult } from '../dist/server/tracker/peer-store.js';

const env = (k, d) => Number(process.env[k] ?? d);
const PORT = env('PORT', 16391), CHURN = env('CHURN', 0), TORRENTS = env('TORRENTS', 1000), BATCHES = env('BATCHES', 400), REPS = env('REPS', 3), ROUNDS = env('ROUNDS', 3);
const CG_PID = process.env.CG_PID;
const URL = `redis://127.0.0.1:${PORT}`;
const PEERS = 60;
const prefix = `seedhost-bench:${randomBytes(6).toString('hex')}:`;
const store = new RedisPeerStore(URL, { prefix });
const admin = new Redis(URL);
const hashes = Array.from({ length: TORRENTS }, () => randomBytes(20).toString('hex'));
const ids = Array.from({ length: PEERS }, (_, i) => Buffer.from(`-BE0001-${String(i).padStart(12, '0')}`));

const announce = (h, i, event, left, out) => store.announce(CHURN ? {
  infoHash: hashes[h], peerId: randomBytes(20), ip: `10.${h >> 8}.${h & 255}.1`, port: 1025 + Math.floor(Math.random() * 64511),
  key: Math.floor(Math.random() * 0x7fffffff).toString(16).padStart(8, '0').toUpperCase(),
  uploaded: 0, downloaded: 0, left, event, numwant: 50, wantPeerIds: false,
} : {
  infoHash: hashes[h], peerId: ids[i], ip: `10.${h >> 8}.${h & 255}.${1 + (i >> 2)}`, port: 6881 + (i & 3),
  uploaded: 0, downloaded: 0, left, event, numwant: 50, wantPeerIds: false,
}, out);

// The packed announces of a call (announce.lua.ts ARGV 3): each is infoHash, tag and address
// (a length byte and bytes each), 33 fixed bytes (peer id, role, event, mode, numwant, random,
// held version), then the counters (a length byte and text, ",<14 hex>" at the end with a key).
function forEachAnnounce(blob, f) {
  let p = 0;
  while (p < blob.length) {
    p += 1 + blob[p];
    p += 1 + blob[p];
    const addr = p;
    p += 1 + blob[p];
    const fixed = p;
    p += 33;
    const counters = p;
    p += 1 + blob[p];
    f(addr, fixed, counters);
  }
}
const count = (blob) => {
  let n = 0;
  forEachAnnounce(blob, () => n++);
  return n;
};
/** The same announces from new peers: a new port, peer id and key each. */
function asNewPeers(blob) {
  const b = Buffer.from(blob);
  forEachAnnounce(b, (addr, fixed, counters) => {
    b.writeUInt16BE(1025 + Math.floor(Math.random() * 64511), addr + b[addr] - 1);
    randomBytes(20).copy(b, fixed);
    const len = b[counters];
    if (b[counters + len - 14] === 0x2c) b.write(randomBytes(7).toString('hex'), counters + len - 13, 'latin1');
  });
  return b;
}

// the prefill, then a second of the load before the recording (views held, every address full)
for (let h = 0; h < TORRENTS; h++) await Promise.all(Array.from({ length: PEERS }, (_, i) => announce(h, i, 'started', i % 10 < 3 ? 0 : 100, new AnnounceResult())));
const calls = [];
let recording = false;
const send = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (command, ...rest) {
  if (recording && command.name === 'evalsha' && calls.length < BATCHES) calls.push(command.args.map((a) => (Buffer.isBuffer(a) ? Buffer.from(a) : a)));
  return send.call(this, command, ...rest);
};
let stop = false;
const loops = Array.from({ length: 64 }, async () => {
  const out = new AnnounceResult();
  while (!stop) {
    const i = Math.floor(Math.random() * PEERS);
    await announce(Math.floor(Math.random() * TORRENTS), i, Math.random() < 0.1 ? 'started' : '', i % 10 < 3 ? 0 : 100, out);
  }
});
await new Promise((r) => setTimeout(r, 1000));
recording = true;
while (calls.length < BATCHES && !stop) await new Promise((r) => setTimeout(r, 100));
stop = true;
await Promise.all(loops);
Redis.prototype.sendCommand = send;

const scripts = { this: ANNOUNCE_LUA };
for (const file of process.argv.slice(2)) scripts[path.relative(process.cwd(), file)] = (await import(path.resolve(file))).ANNOUNCE_LUA;
const evalsha = async () => Number((await admin.info('commandstats')).match(/cmdstat_evalsha:calls=\d+,usec=(\d+)/)[1]);
const instructions = () => Number(execFileSync('callgrind_control', ['-e', 'Ir', CG_PID], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().match(/Th 1\s+([\d,]+)/)[1].replace(/,/g, ''));
const usec = {}, ir = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, lua] of Object.entries(scripts)) {
    const sha = await admin.script('LOAD', lua);
    let announces = 0;
    if (CG_PID) execFileSync('callgrind_control', ['-z', CG_PID], { stdio: 'ignore' });
    const u0 = await evalsha();
    for (let rep = 0; rep < REPS; rep++) {
      for (const args of calls) {
        const a = args.slice();
        a[0] = sha;
        a[4] = String(Date.now());
        if (CHURN) a[5] = asNewPeers(a[5]);
        announces += count(a[5]);
        await admin.callBuffer('EVALSHA', ...a);
      }
    }
    (usec[name] ??= []).push((await evalsha() - u0) / announces);
    if (CG_PID) (ir[name] ??= []).push(instructions() / announces);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const report = Object.fromEntries(Object.keys(scripts).map((name) => [name, {
  evalshaUsecPerAnnounce: usec[name].map((x) => Number(x.toFixed(2))),
  ratio: Number((median(usec[name]) / median(usec.this)).toFixed(3)),
  ...(CG_PID ? { instructionsPerAnnounce: ir[name].map(Math.round), instructionsRatio: Number((median(ir[name]) / median(ir.this)).toFixed(3)) } : {}),
}]));
console.log(JSON.stringify({ calls: calls.length, announcesPerCall: Number((calls.reduce((n, a) => n + count(a[5]), 0) / calls.length).toFixed(1)), scripts: report, config: { CHURN, TORRENTS, BATCHES, REPS, ROUNDS } }));

let cursor = '0';
do {
  const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
  if (keys.length) await admin.del(...keys);
  cursor = next;
} while (cursor !== '0');
await store.close();
admin.disconnect();
