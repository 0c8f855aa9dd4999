// Raw-socket side of the abuse benchmark (issue 13's HTTP attacks): bytes written exactly as an
// attacker writes them (pipelined, one at a time, never read), the first answer head read off the
// socket, and what the kernel holds for a loopback connection (/proc/net/tcp, /proc/net/sockstat).
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Percent-encodes every byte (info_hash and peer_id are raw bytes). */
export const esc = (buf) => [...buf].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');

/** The target of an announce: `/announce?info_hash=...` for a hex hash and a 20-character peer id. */
export const announceTarget = (infoHash, peerId) =>
  `/announce?info_hash=${esc(Buffer.from(infoHash, 'hex'))}&peer_id=${esc(Buffer.from(peerId))}&port=6881&uploaded=0&downloaded=0&left=0&compact=1&numwant=50`;

/** One GET head as bytes ("GET target HTTP/1.1", Host, then `headers` lines). */
export const getHead = (target, headers = []) => Buffer.from(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`, 'latin1');

/** Connects to the host:port of `base`; resolves the socket, or null after `timeoutMs` or an error. */
export function connect(base, timeoutMs = 10_000) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const s = net.connect({ host: hostname, port: Number(port), noDelay: true });
    const timer = setTimeout(() => { s.destroy(); resolve(null); }, timeoutMs);
    s.once('connect', () => { clearTimeout(timer); resolve(s); });
    s.once('error', () => { clearTimeout(timer); resolve(null); });
  });
}

/**
 * Reads a socket until the first answer head is complete, the server closes or `timeoutMs`.
 * Resolves { answer, status, body } where answer is "HTTP 200", "closed, no reply", "reset
 * ECONNRESET" or "timed out"; body holds what followed the head in the same reads (cut at 4 kB).
 * Never rejects; destroys nothing (the caller does).
 */
export function readAnswerHead(socket, timeoutMs) {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0), done = false;
    const finish = (answer, status = 0) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      const end = got.indexOf('\r\n\r\n');
      resolve({ answer, status, body: end === -1 ? '' : got.subarray(end + 4, end + 4096).toString('latin1') });
    };
    const onData = (c) => {
      got = Buffer.concat([got, c]);
      const end = got.indexOf('\r\n\r\n');
      if (end === -1 && got.length < 64 * 1024) return;
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got.toString('latin1', 0, 16));
      finish(m ? `HTTP ${m[1]}` : 'not HTTP', m ? Number(m[1]) : 0);
    };
    const timer = setTimeout(() => finish('timed out'), timeoutMs);
    socket.on('data', onData);
    socket.once('end', () => finish(got.length ? 'cut head' : 'closed, no reply'));
    socket.once('error', (e) => finish(`reset ${e.code ?? e.message}`));
    socket.once('close', () => finish(got.length ? 'cut head' : 'closed, no reply'));
  });
}

/** Counts of equal words as text: "250 x closed, no reply; 3 x HTTP 200" (largest first). */
export function tally(words) {
  const m = new Map();
  for (const w of words) m.set(w, (m.get(w) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]).map(([w, n]) => `${n} x ${w}`).join('; ');
}

const hexPort = (p) => p.toString(16).toUpperCase().padStart(4, '0');

/**
 * The kernel queues of a loopback connection whose client end has `localPort` (IPv4 only):
 * { clientUnsent, serverUnread, serverUnsent } in bytes (tx_queue of the client's socket, rx_queue
 * and tx_queue of the server's), or null when not found.
 */
export function tcpQueues(localPort) {
  let text;
  try {
    text = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return null;
  }
  const p = hexPort(localPort);
  let client = null, server = null;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const [tx, rx] = f[4].split(':').map((h) => parseInt(h, 16));
    if (f[1].endsWith(`:${p}`)) client = { tx, rx };
    else if (f[2].endsWith(`:${p}`)) server = { tx, rx };
  }
  return client && server ? { clientUnsent: client.tx, serverUnread: server.rx, serverUnsent: server.tx } : null;
}

/** Memory of all TCP sockets of the machine from /proc/net/sockstat, in MB (pages of 4 kB), or null. */
export function kernelTcpMb() {
  try {
    const m = /^TCP:.* mem (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'));
    return m ? (Number(m[1]) * 4096) / 1e6 : null;
  } catch {
    return null;
  }
}

/** User + system CPU time of a process in seconds (from /proc/PID/stat), or null when gone. */
export function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ
  } catch {
    return null;
  }
}

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
