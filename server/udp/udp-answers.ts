// One BEP 15 datagram in, at most one datagram out: connect, announce and scrape through the same
// tracker core as HTTP (closed catalogue, PeerStore, completed tally, swarm events). Nothing is
// answered with more bytes than it came with until the sender proved its address (connect first).
import type { Logger } from 'pino';
import { applyAnnounce, releaseResult } from '../tracker/announce.js';
import { swarmOf } from '../tracker/scrape.js';
import { ClientError, UnregisteredTorrent } from '../tracker/errors.js';
import type { AnnounceResult, SwarmCounts } from '../tracker/peer-store.js';
import type { TrackerContext } from '../tracker/tracker-context.js';
import { MALFORMED, OK, outcomeOf, type TrackerStats } from '../tracker/tracker-stats.js';
import type { ConnectionIds } from './connection-ids.js';
import {
  actionOf, ANNOUNCE, encodeAnnounce, encodeConnect, encodeError, encodeScrape, HEADER_BYTES, isConnect,
  parseUdpAnnounce, parseUdpScrape, SCRAPE, ANNOUNCE_HEADER_BYTES, writeAnnounceHeader,
} from './udp-packets.js';
import type { UdpReplies } from './udp-replies.js';

/** Datagrams seedhost did not answer with a tracker reply, by reason (metrics). */
export class UdpStats {
  connects = 0;
  /** Shorter than a header, or a connect without BEP 15's protocol id: dropped without a word. */
  dropped = 0;
  /** A wrong or expired connection id: answered with a short error. */
  badConnectionIds = 0;
  /** An action other than connect, announce or scrape. */
  unknownActions = 0;
  /** Replies the kernel did not take (set by the socket that counts them). */
  droppedReplies: () => number = () => 0;
}

export interface UdpDeps {
  tracker: TrackerContext;
  /** Announce and scrape counts and latencies over UDP (the HTTP ones are tracker.stats). */
  stats: TrackerStats;
  udp: UdpStats;
  ids: ConnectionIds;
  log: Logger;
  /**
   * Reply buffers reused from one datagram to the next (the socket's: it sends each reply before
   * the next datagram, and renews them when a send is queued). Unset: every reply is a new buffer.
   */
  replies?: UdpReplies;
}

const connectionId = Buffer.alloc(8);

function failure(msg: Buffer, e: unknown, deps: UdpDeps): Buffer {
  if (e instanceof ClientError) return encodeError(msg, e.message);
  deps.log.error({ err: e }, 'udp tracker request failed');
  return encodeError(msg, 'internal error');
}

function announceReply(msg: Buffer, r: AnnounceResult, v6: boolean, interval: number, replies: UdpReplies | undefined): Buffer {
  if (replies !== undefined && r === replies.result) {
    // the peers are already in place past the header
    const b = v6 ? replies.reply6 : replies.reply4;
    writeAnnounceHeader(b, msg, interval, r.incomplete, r.complete);
    return b.subarray(0, ANNOUNCE_HEADER_BYTES + (v6 ? r.peers6Len : r.peers4Len));
  }
  return v6
    ? encodeAnnounce(msg, interval, r.incomplete, r.complete, r.peers6, r.peers6Len)
    : encodeAnnounce(msg, interval, r.incomplete, r.complete, r.peers4, r.peers4Len);
}

function answerAnnounce(msg: Buffer, ip: string, v6: boolean, deps: UdpDeps): Buffer | Promise<Buffer> {
  const start = performance.now();
  const stats = deps.stats;
  try {
    const req = parseUdpAnnounce(msg, v6);
    const replies = deps.replies;
    const out = replies === undefined ? applyAnnounce(req, ip, deps.tracker) : applyAnnounce(req, ip, deps.tracker, replies.result);
    const interval = deps.tracker.interval;
    if (!(out instanceof Promise)) {
      stats.announced(OK, start);
      return announceReply(msg, out, v6, interval, replies);
    }
    return out.then((r) => {
      stats.announced(OK, start);
      const b = announceReply(msg, r, v6, interval, undefined); // a copy: r goes back
      releaseResult(r);
      return b;
    }, (e) => {
      stats.announced(outcomeOf(e), start);
      return failure(msg, e, deps);
    });
  } catch (e) {
    stats.announced(outcomeOf(e), start);
    return failure(msg, e, deps);
  }
}

/** Scrape counts in the request's order; a hash this tracker does not serve reads as zeros (BEP 15 replies are positional). */
function answerScrape(msg: Buffer, deps: UdpDeps): Buffer | Promise<Buffer> {
  const start = performance.now();
  const stats = deps.stats;
  try {
    const hashes = parseUdpScrape(msg);
    const t = deps.tracker;
    const known = hashes.filter((h) => t.registered.has(h) || t.v2Aliases?.has(h) === true);
    const zero: SwarmCounts = { complete: 0, downloaded: 0, incomplete: 0 };
    const reply = (counts: readonly SwarmCounts[]): Buffer => {
      const byHash = new Map(known.map((h, i) => [h, counts[i]]));
      stats.scraped(OK, start);
      return encodeScrape(msg, hashes.map((h) => byHash.get(h) ?? zero));
    };
    const counts = known.length === 0 ? [] : t.store.scrape(known.map((h) => swarmOf(h, t)));
    if (!(counts instanceof Promise)) return reply(counts);
    return counts.then(reply, (e) => {
      stats.scraped(outcomeOf(e), start);
      return failure(msg, e, deps);
    });
  } catch (e) {
    stats.scraped(e instanceof UnregisteredTorrent ? MALFORMED : outcomeOf(e), start);
    return failure(msg, e, deps);
  }
}

/**
 * The reply to datagram `msg` from ip:port (`ip` normalised: IPv4-mapped senders as IPv4, which
 * then get 6-byte peers; IPv6 senders 18-byte ones), or null for silence. Never throws.
 */
export function answerDatagram(msg: Buffer, ip: string, port: number, deps: UdpDeps): Buffer | Promise<Buffer> | null {
  if (msg.length < HEADER_BYTES) {
    deps.udp.dropped++;
    return null;
  }
  if (isConnect(msg)) {
    deps.udp.connects++;
    deps.ids.issue(ip, port, connectionId);
    return encodeConnect(msg, connectionId);
  }
  if (!deps.ids.check(msg, ip, port)) {
    // a connect with another protocol id is not BEP 15 traffic at all: no reply
    if (actionOf(msg) === 0) {
      deps.udp.dropped++;
      return null;
    }
    deps.udp.badConnectionIds++;
    return encodeError(msg, 'connection id expired or unknown: connect again');
  }
  const action = actionOf(msg);
  const v6 = ip.includes(':');
  if (action === ANNOUNCE) return answerAnnounce(msg, ip, v6, deps);
  if (action === SCRAPE) return answerScrape(msg, deps);
  deps.udp.unknownActions++;
  return encodeError(msg, 'unknown action');
}
