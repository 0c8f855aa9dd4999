#!/usr/bin/env node
// One load process of bench/ws-tracker.mjs (forked, IPC): opens SOCKETS WebSockets to URL from
// loopback source addresses 127.0.<a>.<b> (ADDR_BASE on, PER_ADDR sockets each, under the
// tracker's sockets-per-address bound), each a browser with its own peer id in one of HASHES.
// On "go" every socket runs a closed loop of ANNOUNCES announces carrying OFFERS offers each
// (one outstanding: the next is sent when the reply comes). Cheap by design: messages are
// prebuilt strings and replies are recognised by substring, never parsed.
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';

const cfg = JSON.parse(process.argv[2]);
const bin = (b) => b.toString('latin1');
const SDP = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=msid-semantic: WMS\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=ice-options:trickle\r\na=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\na=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n';
const sockets = [];
const latencies = [];
let done = 0, replies = 0, failures = 0, offersIn = 0;

function message(s, event) {
  const offers = Array.from({ length: cfg.offers }, () => ({ offer: { type: 'offer', sdp: SDP }, offer_id: bin(randomBytes(20)) }));
  return JSON.stringify({ action: 'announce', info_hash: s.hash, peer_id: s.peerId, uploaded: 0, downloaded: 0, left: s.left, event, numwant: cfg.offers, offers });
}

function open(i) {
  return new Promise((resolve, reject) => {
    const a = cfg.addrBase + Math.floor(i / cfg.perAddr);
    const localAddress = `127.0.${1 + Math.floor(a / 250)}.${1 + (a % 250)}`;
    const ws = new WebSocket(cfg.url, { localAddress, perMessageDeflate: false });
    const s = { ws, hash: bin(Buffer.from(cfg.hashes[i % cfg.hashes.length], 'hex')), peerId: bin(randomBytes(20)), left: i % 3 === 0 ? 0 : 1000, sent: 0, at: 0 };
    s.next = message(s, undefined);
    ws.on('message', (data) => {
      const text = data.toString();
      if (!text.includes('"interval"')) {
        if (text.includes('failure reason')) {
          if (failures++ === 0) process.stderr.write(`ws-load: first failure: ${text.slice(0, 200)}\n`);
        }
        else offersIn++;
        return;
      }
      replies++;
      latencies.push(performance.now() - s.at);
      if (s.sent < cfg.announces) send(s);
      else if (++done === sockets.length) finish();
    });
    ws.once('open', () => resolve(s));
    ws.once('error', reject);
  });
}

function send(s) {
  s.sent++;
  s.at = performance.now();
  s.ws.send(s.sent === 1 ? message(s, 'started') : s.next);
}

let cpu0, t0;
function finish() {
  const t = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  process.send({ kind: 'done', replies, failures, offersIn, ms: t, cpuMs: (cpu.user + cpu.system) / 1000, latencies });
}

for (let i = 0; i < cfg.sockets; i += 200) {
  const batch = [];
  for (let j = i; j < Math.min(cfg.sockets, i + 200); j++) batch.push(open(j));
  sockets.push(...await Promise.all(batch));
}
process.send({ kind: 'connected' });
process.on('message', (m) => {
  if (m.kind === 'go') {
    const stall = setInterval(() => process.stderr.write(`ws-load: ${replies} replies, ${failures} failures, ${done}/${sockets.length} sockets done\n`), 5000);
    stall.unref();
    cpu0 = process.cpuUsage();
    t0 = performance.now();
    for (const s of sockets) send(s);
  } else if (m.kind === 'exit') {
    for (const s of sockets) s.ws.terminate();
    process.exit(0);
  }
});
