// The announce probe: one BitTorrent client announcing every PROBE_MS on one keep-alive connection
// (a registered info_hash by default, so the real path runs; a bogus one answers a failure).
// Latency is from the moment the announce was due: when one answer takes longer than the interval,
// the announces that could not be sent meanwhile are counted as waiting too (as HdrHistogram's
// expected-interval correction does), so a stall weighs in p99 as it would for a tracker's
// thousands of clients. An announce unanswered after PROBE_TIMEOUT_MS counts as a timeout (its
// latency is recorded as that bound) and the connection is replaced.
import http from 'node:http';

const esc = (buf) => [...buf].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');

/** Starts announcing (`expectFailure`: a bogus hash, whose `failure reason` answer is the normal one); `stop()` resolves the figures { sent, answered, timeouts, errors, p50, p99, worst, ... } in ms. */
export function startProbe(base, infoHash, { intervalMs = 50, timeoutMs = 10_000, expectFailure = false } = {}) {
  const peerId = Buffer.from('-PR0001-abuseprobe00');
  const url = `${base}/announce?info_hash=${esc(Buffer.from(infoHash, 'hex'))}&peer_id=${esc(peerId)}&port=6881&uploaded=0&downloaded=0&left=0&compact=1&numwant=50`;
  let agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const samples = [];
  let sent = 0, answered = 0, timeouts = 0, errors = 0, worst = 0, firstError = '';
  let running = true, inFlight = null;
  let wake = null;

  const started = performance.now();
  const trace = Number(process.env.PROBE_TRACE_MS ?? 0); // > 0: print each answer slower than this, with its time
  const record = (lat) => {
    // with the monotonic clock's ms at the announce's start (CLOCK_MONOTONIC, the clock of a V8 .cpuprofile's timestamps)
    if (trace > 0 && lat > trace) process.stderr.write(`   probe: ${lat.toFixed(1)} ms at +${((performance.now() - started - lat) / 1000).toFixed(2)} s (monotonic ${(Number(process.hrtime.bigint() / 1000n) / 1000 - lat).toFixed(1)} ms)\n`);
    samples.push(lat);
    for (let missed = lat - intervalMs; missed > 0; missed -= intervalMs) samples.push(missed);
    if (lat > worst) worst = lat;
  };
  const once = () => new Promise((resolve) => {
    const t0 = performance.now();
    let done = false;
    const finish = (kind, detail) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      inFlight = null;
      resolve({ kind, lat: performance.now() - t0, detail });
    };
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('latin1');
        if (res.statusCode === 200 && body.includes('14:failure reason')) finish(expectFailure ? 'ok' : 'failure', body.slice(0, 80));
        else if (res.statusCode === 200 && body.includes('8:interval')) finish('ok');
        else finish('error', `HTTP ${res.statusCode} ${body.slice(0, 80)}`);
      });
      res.on('error', (e) => finish('error', e.code ?? e.message));
    });
    req.on('error', (e) => finish('error', e.code ?? e.message));
    const timer = setTimeout(() => {
      finish('timeout');
      req.destroy();
      agent.destroy();
      agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    }, timeoutMs);
    inFlight = { t0 };
  });

  const loop = (async () => {
    const start = performance.now();
    let k = 0;
    while (running) {
      const due = start + k * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => { wake = r; setTimeout(r, wait); });
      if (!running) break;
      sent++;
      const r = await once();
      if (r.kind === 'timeout') { timeouts++; record(timeoutMs); }
      else {
        record(r.lat);
        if (r.kind === 'ok') answered++;
        else { errors++; firstError ||= `${r.kind}: ${r.detail}`; }
      }
      // next due slot after now (slots missed while waiting were counted by record)
      k = Math.max(k + 1, Math.ceil((performance.now() - start) / intervalMs));
    }
  })();

  return {
    async stop() {
      running = false;
      wake?.();
      // an announce still unanswered at the end counts with what it has waited so far
      const pending = inFlight;
      if (pending) {
        await Promise.race([loop, new Promise((r) => setTimeout(r, 200))]);
        if (inFlight) record(performance.now() - pending.t0);
      } else await loop;
      agent.destroy();
      const s = samples.sort((a, b) => a - b);
      const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : NaN);
      return { sent, answered, timeouts, errors, firstError, unanswered_at_end: inFlight !== null, samples: s.length,
        p50: q(0.5), p99: q(0.99), worst, timeout_ms: timeoutMs, interval_ms: intervalMs };
    },
  };
}
