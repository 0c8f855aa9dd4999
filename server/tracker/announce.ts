// The announce use case (BEP 3): closed-tracker check, swarm update, peer list, reply bytes.
// Takes an already-resolved client IP; never sees the HTTP request or the UDP datagram.
import type { AnnounceRequest } from './announce-request.js';
import { UnregisteredTorrent } from './errors.js';
import { AnnounceResult, type PeerAnnounce } from './peer-store.js';
import { encodeCompactAnnounce, encodeDictAnnounce } from './replies.js';
import type { TrackerContext } from './tracker-context.js';
import { dropWebRtcPeers } from '../ws-tracker/webrtc-address.js';

const shared = new AnnounceResult();

/**
 * Results lent to announces on an asynchronous store, given back once their reply is written: a
 * new one costs two zero-filled buffers (4.8 KB) and their garbage, per announce.
 */
const spare: AnnounceResult[] = [];
/** Results kept for reuse at most (about 5 MB). */
const SPARE_MAX = 1024;

/** Gives back a result applyAnnounce resolved to (an asynchronous store's) once nothing reads it any more. */
export function releaseResult(r: AnnounceResult): void {
  if (r !== shared && spare.length < SPARE_MAX) spare.push(r);
}

function settle(h: string, out: AnnounceResult, ctx: TrackerContext): AnnounceResult {
  if (out.completedNow) ctx.completed.add(h);
  if (out.changed && ctx.onSwarmChange !== undefined) ctx.onSwarmChange(h);
  // WebRTC peers (stand-ins in 3fff::/20) are nobody an HTTP or UDP client can dial
  if (out.peers6Len > 0) dropWebRtcPeers(out);
  return out;
}

function reply(req: AnnounceRequest, out: AnnounceResult, ctx: TrackerContext): Buffer {
  return req.compact
    ? encodeCompactAnnounce(out, ctx.interval, ctx.minInterval)
    : encodeDictAnnounce(out, ctx.interval, ctx.minInterval, req.noPeerId);
}

/**
 * Applies an announce from `ip` (counts it, tallies a completion, reports a swarm change) and
 * gives the store's result. With a synchronous store the result is `into` (default: one shared
 * result): read it before the next announce; an asynchronous store fills a new one. Throws
 * UnregisteredTorrent (a ClientError) for a torrent this tracker did not register.
 */
export function applyAnnounce(req: AnnounceRequest, ip: string, ctx: TrackerContext, into: AnnounceResult = shared): AnnounceResult | Promise<AnnounceResult> {
  let h = req.infoHash;
  if (!ctx.registered.has(h)) {
    // a hybrid's v2 peers announce its SHA-256 cut to 20 bytes: the same swarm
    const torrent = ctx.v2Aliases?.get(h);
    if (torrent === undefined) throw new UnregisteredTorrent();
    h = torrent;
  }
  ctx.announces?.tick();
  const a: PeerAnnounce = {
    infoHash: h, peerId: req.peerId, ip, port: req.port,
    uploaded: req.uploaded, downloaded: req.downloaded, left: req.left, event: req.event,
    numwant: req.event === 'stopped' ? 0 : req.numwant, wantPeerIds: !req.compact && !req.noPeerId, key: req.key,
  };
  if (ctx.store.sync) {
    ctx.store.announce(a, into);
    return settle(h, into, ctx);
  }
  const out = spare.pop() ?? new AnnounceResult();
  return (ctx.store.announce(a, out) as Promise<void>).then(() => settle(h, out, ctx));
}

/** `bytes`, once `r` (copied into them) is given back. */
function written(bytes: Buffer, r: AnnounceResult): Buffer {
  releaseResult(r);
  return bytes;
}

/**
 * Applies an announce from `ip` and returns the bencoded reply (a promise with an async store).
 * Throws UnregisteredTorrent (a ClientError) for a torrent this tracker did not register.
 */
export function handleAnnounce(req: AnnounceRequest, ip: string, ctx: TrackerContext): Buffer | Promise<Buffer> {
  const out = applyAnnounce(req, ip, ctx);
  return out instanceof Promise ? out.then((r) => written(reply(req, r, ctx), r)) : reply(req, out, ctx);
}
