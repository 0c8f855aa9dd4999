// Issue 13 item 2: CLIENTS connections request the large hosted file over the webseed and stop
// reading after the first chunk (`slowReadMs`: then read one chunk every slowReadMs, as
// slowhttptest's slow read keeps its connections alive), while another client downloads a
// different torrent's file in a loop. Its rate against a reference measured just before, with no
// attack (prepare, outside the probe's window), is the figure: the target is >= 80 %.
// Unlike slowhttptest this cannot shrink the receive window (Node has no SO_RCVBUF): a paused
// socket's kernel buffers fill (about 4-6 MB a connection on loopback) before the server waits.
import { rate, downloadLoop, downloadOne } from './webseed-download.mjs';
import { connect, getHead, kernelTcpMb, sleep, tally } from './raw-http.mjs';
import { ms, size } from './http-client.mjs';

const urlOf = (base, f) => `${base}/webseed/${f.hash}/${encodeURIComponent(f.name)}`;

/** The reference: the downloader alone for `refSeconds`. */
export async function prepare(ctx, { refSeconds = 3 }) {
  const url = urlOf(ctx.base, ctx.setup.webseed.victim);
  await downloadOne(url, 10_000); // warm: file list cached, pages in memory
  return { url, ref: await downloadLoop(url, refSeconds) };
}

/** Opens one reader of `target`: pauses after its first chunk; `slowReadMs` then reads one chunk per interval. */
async function openReader(base, target, slowReadMs, readers) {
  const socket = await connect(base);
  const r = { socket, answer: socket === null ? 'could not connect' : 'no answer yet', bytes: 0, timer: null };
  readers.push(r);
  if (socket === null) return;
  socket.on('error', (e) => { if (r.bytes === 0) r.answer = `reset ${e.code ?? e.message}`; });
  socket.on('close', () => { if (r.bytes === 0 && r.answer === 'no answer yet') r.answer = 'closed, no reply'; });
  socket.on('data', (c) => {
    if (r.bytes === 0) {
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(c.toString('latin1', 0, 16));
      r.answer = m ? `HTTP ${m[1]}` : 'not HTTP';
    }
    r.bytes += c.length;
    socket.pause();
  });
  socket.write(getHead(target));
  if (slowReadMs) {
    // staggered, so the reads spread over the interval
    const first = Math.random() * slowReadMs;
    r.timer = setTimeout(function tick() { socket.resume(); r.timer = setTimeout(tick, slowReadMs); }, first);
  }
}

/** The attack; answer: the downloader's rate during it, and what the readers got. */
export async function run(ctx, { clients, slowReadMs = 0, seconds = 8 }, { url, ref }) {
  const big = ctx.setup.webseed.big;
  const target = `/webseed/${big.hash}/${encodeURIComponent(big.name)}`;
  const readers = [];
  let tcpPeak = kernelTcpMb() ?? 0;
  const sampler = setInterval(() => { tcpPeak = Math.max(tcpPeak, kernelTcpMb() ?? 0); }, 250);
  const t0 = performance.now();
  for (let i = 0; i < clients; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, clients - i) }, () => openReader(ctx.base, target, slowReadMs, readers)));
  }
  // give the readers a moment to get their first chunk (and fill their buffers)
  for (let t = 0; t < 3000 && readers.some((r) => r.bytes === 0 && r.socket && !r.socket.destroyed); t += 100) await sleep(100);
  await sleep(500);
  const openMs = performance.now() - t0;
  const during = await downloadLoop(url, seconds);
  const readBytes = readers.reduce((s, r) => s + r.bytes, 0);
  const answers = tally(readers.map((r) => r.answer));
  for (const r of readers) {
    clearTimeout(r.timer);
    r.socket?.destroy();
  }
  clearInterval(sampler);
  // does the webseed serve again at once once they left?
  const after = await downloadOne(url, 10_000);
  const pct = ref.bps > 0 ? (100 * during.bps) / ref.bps : NaN;
  const kind = slowReadMs ? `slow readers (a chunk every ${slowReadMs / 1000} s)` : 'stalled readers';
  return {
    answer: `downloader ${rate(during.bps)} = ${Number.isFinite(pct) ? pct.toFixed(0) : '?'} % of idle (${rate(ref.bps)}); ${clients} ${kind}: ${answers}`,
    ms: performance.now() - t0,
    rate_pct: pct,
    details: `during: ${during.completed} downloads complete, ${during.cut} cut by the ${seconds} s window, ${during.errors} failed${during.firstError ? ` (${during.firstError})` : ''}, longest ${ms(during.longestMs)}; `
      + `idle: ${ref.completed} in ${ms(ref.ms)}; readers opened in ${ms(openMs)}, read ${size(readBytes)} in all; kernel TCP memory peak ${Math.round(tcpPeak)} MB; `
      + `after they left: ${after.ok ? `a download took ${ms(after.ms)}` : `a download failed (${after.error}) within 10 s`}`,
  };
}
