// Issue 13 item 3: requests carrying `Connection: Upgrade` + `Upgrade: websocket` (a valid
// WebSocket handshake) on paths where no WebSocket lives (/announce, /scrape, the webseed, a
// .torrent, /healthz, the UI), RATE a second for SECONDS, each on a fresh connection. Behind the
// compose nginx a request the server drops without a reply counts as an instance failure, so
// the answer counts replies against connections closed or reset without one.
import { connect, announceTarget, getHead, readAnswerHead, tally } from './raw-http.mjs';

const UPGRADE = ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='];

/** The targets, one of each kind. */
export function prepare(ctx) {
  const v = ctx.setup.webseed.victim;
  return {
    targets: [
      ['announce', announceTarget(ctx.setup.pipeHash, '-UP0001-upgradeanypa')],
      ['scrape', '/scrape'],
      ['webseed', `/webseed/${v.hash}/${encodeURIComponent(v.name)}`],
      ['torrent', `/torrents/${v.hash}.torrent`],
      ['healthz', '/healthz'],
      ['ui', '/'],
    ],
  };
}

async function once(base, [kind, target], timeoutMs) {
  const s = await connect(base, timeoutMs);
  if (s === null) return { kind, answer: 'could not connect' };
  s.write(getHead(target, UPGRADE));
  const r = await readAnswerHead(s, timeoutMs);
  s.destroy();
  return { kind, answer: r.answer };
}

/** The attack; answer: replies vs connections dropped, per kind of path when they differ. */
export async function run(ctx, { rate = 50, seconds = 5 }, { targets }) {
  const n = rate * seconds;
  const t0 = performance.now();
  const pending = [];
  for (let i = 0; i < n; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(once(ctx.base, targets[i % targets.length], Math.min(ctx.timeoutMs, 5000)));
  }
  const rs = await Promise.all(pending);
  const replied = rs.filter((r) => r.answer.startsWith('HTTP ')).length;
  const perKind = targets.map(([kind]) => `${kind}: ${tally(rs.filter((r) => r.kind === kind).map((r) => r.answer))}`);
  return {
    answer: `${replied} of ${n} answered, ${n - replied} not: ${tally(rs.map((r) => r.answer))}`,
    ms: performance.now() - t0,
    details: perKind.join('; '),
  };
}
