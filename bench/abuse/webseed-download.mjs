// The webseed's other client in issue 13 item 2: one downloader fetching a whole hosted file over
// one keep-alive connection, again and again for a while; its rate is what stalled readers of
// another torrent must not take away. It is another user: it connects from 127.0.0.2 (loopback
// holds all of 127/8), since the webseed shares its buffers per client address and the attackers
// connect from 127.0.0.1. VICTIM_ADDRESS=127.0.0.1 measures the same address instead.
import http from 'node:http';

const LOCAL_ADDRESS = process.env.VICTIM_ADDRESS || '127.0.0.2';

/** Bytes per second as text: "812 MB/s". */
export const rate = (bps) => (Number.isFinite(bps) ? `${bps >= 1e8 ? Math.round(bps / 1e6) : (bps / 1e6).toFixed(1)} MB/s` : '?');

function downloadOnce(url, agent, endAt) {
  return new Promise((resolve) => {
    let bytes = 0, status = 0, done = false;
    const finish = (kind, error = '') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ kind, bytes, error });
    };
    const req = http.get(url, { agent, localAddress: LOCAL_ADDRESS }, (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (c) => { bytes += c.length; });
      res.on('end', () => finish(status === 200 ? 'complete' : 'error', status === 200 ? '' : `HTTP ${status}`));
      res.on('error', (e) => finish('error', e.code ?? e.message));
      res.on('aborted', () => finish('error', 'ECONNRESET'));
    });
    req.on('error', (e) => finish('error', e.code ?? e.message));
    // the window's end cuts a download short: its bytes so far still count
    const timer = setTimeout(() => { finish('cut'); req.destroy(); }, Math.max(0, endAt - performance.now()));
  });
}

/**
 * Downloads `url` in a loop for `seconds`. Resolves { bytes, ms, bps, completed, cut, errors,
 * firstError, longestMs }: bps is bytes over the whole window, cut counts the download the
 * window's end interrupted (one stuck all window long makes bps 0).
 */
export async function downloadLoop(url, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const t0 = performance.now(), endAt = t0 + seconds * 1000;
  let bytes = 0, completed = 0, cut = 0, errors = 0, firstError = '', longestMs = 0;
  // (a timer may fire a little before performance.now() reaches endAt: no empty download then)
  while (endAt - performance.now() > 5) {
    const s = performance.now();
    const r = await downloadOnce(url, agent, endAt);
    longestMs = Math.max(longestMs, performance.now() - s);
    bytes += r.bytes;
    if (r.kind === 'complete') completed++;
    else if (r.kind === 'cut') cut++;
    else {
      errors++;
      firstError ||= r.error;
      await new Promise((res) => setTimeout(res, 100)); // no tight loop against a refusing server
    }
  }
  agent.destroy();
  const elapsed = performance.now() - t0;
  return { bytes, ms: elapsed, bps: bytes / (elapsed / 1000), completed, cut, errors, firstError, longestMs };
}

/** One whole download within `timeoutMs`: { ok, ms } (ok false: cut or failed). */
export async function downloadOne(url, timeoutMs) {
  const agent = new http.Agent({ keepAlive: false });
  const t0 = performance.now();
  const r = await downloadOnce(url, agent, t0 + timeoutMs);
  agent.destroy();
  return { ok: r.kind === 'complete', ms: performance.now() - t0, error: r.error || r.kind };
}
