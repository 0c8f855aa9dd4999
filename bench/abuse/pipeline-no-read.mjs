// Issue 13 item 1: one connection pipelines tracker requests (announces, or full scrapes of the
// 2,000-torrent catalog) as fast as the server takes them and never reads an answer. Does the
// server stop reading (the client's writes stall) or buffer every reply? The server's RSS is read
// once it is done (read all, or stopped reading, and answers another announce), then again 2 s
// after the connection closed.
import http from 'node:http';
import { size, ms } from './http-client.mjs';
import { readRss } from './rss-sampler.mjs';
import { announceTarget, connect, getHead, sleep, tcpQueues } from './raw-http.mjs';
import { ensureScrapeTorrents } from './scrape-torrents.mjs';

const CHUNK_BYTES = 64 * 1024;

/** Builds the requests (and registers the full-scrape catalog for `kind: 'scrape'`). */
export async function prepare(ctx, { kind, bytes, count }) {
  if (kind === 'scrape') await ensureScrapeTorrents(ctx);
  const one = kind === 'scrape' ? getHead('/scrape') : getHead(announceTarget(ctx.setup.pipeHash, '-PN0001-pipelinenord'));
  const total = count ?? Math.ceil(bytes / one.length);
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / one.length));
  return { one, total, chunk: Buffer.concat(Array(perChunk).fill(one)), perChunk };
}

const mb = (kb) => (kb == null ? '?' : `${Math.round((kb * 1024) / 1e6)} MB`);

/** True when an announce on a fresh connection is answered within `timeoutMs`. */
function answersAnnounce(base, infoHash, timeoutMs) {
  return new Promise((resolve) => {
    const req = http.get(`${base}${announceTarget(infoHash, '-PN0001-pipelinechk0')}`, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * Waits (until `until`, ms epoch) for the server to be done with the connection: it read all that
 * was written, or its kernel queues have not moved for 2 s (it stopped reading); and it answers
 * another announce (its loop is free again). Resolves { q: the last queues (null: the connection
 * is gone), done }.
 */
async function serverDone(ctx, socket, until) {
  let last = '', since = Date.now(), q = null;
  while (Date.now() < until) {
    q = tcpQueues(socket.localPort);
    if (q === null) return { q, done: true };
    const key = `${q.clientUnsent}/${q.serverUnread}/${q.serverUnsent}`;
    if (key !== last) { last = key; since = Date.now(); }
    if ((q.clientUnsent + q.serverUnread === 0 || Date.now() - since > 2000)
      && await answersAnnounce(ctx.base, ctx.setup.pipeHash, Math.min(2000, Math.max(1, until - Date.now())))) return { q, done: true };
    await sleep(250);
  }
  return { q, done: false };
}

/** The attack: write `total` requests, never read; answer how much the server took and its RSS. */
export async function run(ctx, { kind, stallMs = 2000, seconds = 20 }, { one, total, chunk, perChunk }) {
  const pid = Number(process.env.SERVER_PID);
  const deadline = Date.now() + seconds * 1000;
  const socket = await connect(ctx.base);
  if (socket === null) return { answer: 'could not connect', ms: NaN };
  socket.pause(); // never read: the answers pile up wherever the server keeps them
  let closedBy = '';
  socket.on('error', (e) => { closedBy ||= e.code ?? e.message; });
  socket.on('close', () => { closedBy ||= 'closed'; });
  const t0 = performance.now();
  let sent = 0, stalled = false;
  while (sent < total && !closedBy && Date.now() < deadline) {
    const n = Math.min(perChunk, total - sent);
    const ok = socket.write(n === perChunk ? chunk : chunk.subarray(0, n * one.length));
    sent += n;
    if (!ok) {
      const drained = await new Promise((resolve) => {
        const done = (v) => { clearTimeout(t); socket.off('drain', onDrain); socket.off('close', onClose); resolve(v); };
        const onDrain = () => done(true), onClose = () => done(false);
        const t = setTimeout(() => done(false), stallMs);
        socket.on('drain', onDrain);
        socket.on('close', onClose);
      });
      if (!drained && !closedBy) { stalled = true; break; }
    }
  }
  const writeMs = performance.now() - t0;
  const { q, done } = closedBy ? { q: null, done: true } : await serverDone(ctx, socket, deadline);
  const busyMs = performance.now() - t0;
  const gone = closedBy || (q === null ? 'the connection is gone' : '');
  const rssHeld = readRss(pid)?.rss;
  const pendingHere = socket.writableLength;
  socket.destroy();
  await sleep(2000);
  const rssAfter = readRss(pid)?.rss;
  const sentBytes = sent * one.length;
  // unread: still in this process's write buffer, unsent by its kernel, or unread in the server's
  const read = q ? Math.max(0, sentBytes - pendingHere - q.clientUnsent - q.serverUnread) : NaN;
  const what = kind === 'scrape' ? 'full scrapes' : 'announces';
  const stop = [stalled ? `the server stopped reading (writes stalled ${stallMs / 1000} s)` : sent < total ? `stopped writing at the ${seconds} s bound` : 'all written',
    gone ? `server closed the connection (${gone})` : done ? '' : `server still busy at the ${seconds} s bound`].filter(Boolean).join(', ');
  return {
    answer: `read ${Number.isFinite(read) ? `~${size(read)}` : '?'} of ${size(sentBytes)} written (${Number.isFinite(read) ? Math.floor(read / one.length) : '?'} of ${sent} ${what}): ${stop}; RSS ${mb(rssHeld)} holding, ${mb(rssAfter)} 2 s after close`,
    ms: busyMs,
    details: `${total} ${what} of ${one.length} B meant (${size(total * one.length)}); written in ${ms(writeMs)}, server busy until ${ms(busyMs)}`
      + (q ? `; ${size(pendingHere)} still in the client's buffer; kernel: ${size(q.clientUnsent)} unsent by the client, ${size(q.serverUnread)} unread and ${size(q.serverUnsent)} of answers unsent by the server` : ''),
  };
}
