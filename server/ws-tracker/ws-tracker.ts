// webtorrent's WebSocket tracker on the HTTP server's /announce upgrade. Announces go through the
// shared core (applyAnnounce: closed catalogue, PeerStore, completed tally, swarm change events),
// each browser stored at its stand-in address (webrtc-address.ts); offers and answers are relayed
// among the sockets connected to this instance (ws-swarms.ts). Bounds: ws-limits.ts.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { UpgradeCounts } from '../http/upgrade-counts.js';
import type { AnnounceRequest } from '../tracker/announce-request.js';
import { applyAnnounce } from '../tracker/announce.js';
import { ClientError, UnregisteredTorrent } from '../tracker/errors.js';
import type { AnnounceResult, SwarmCounts } from '../tracker/peer-store.js';
import type { TrackerContext } from '../tracker/tracker-context.js';
import { MALFORMED, OK, outcomeOf, UNREGISTERED } from '../tracker/tracker-stats.js';
import { webRtcAddress } from './webrtc-address.js';
import * as L from './ws-limits.js';
import { failureMessage, hexOf, parseWsMessage, type WsAnnounce, type WsScrape } from './ws-messages.js';
import { Outbox, OutQueue } from './ws-outbox.js';
import { relayedOffer } from './raw-offers.js';
import { WsSwarms } from './ws-swarms.js';
import { WsTrackerStats } from './ws-stats.js';

export interface WsTracker {
  /** Takes an upgrade of /announce from `ip` (already resolved through TRUSTED_PROXIES), or refuses it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ip: string): void;
  readonly stats: WsTrackerStats;
  /** Open tracker sockets. */
  sockets(): number;
  /** Closes every socket (1001), its peers leaving their swarms, and refuses new ones. */
  stop(): Promise<void>;
}

/** One peer of a socket in one swarm, with what its announces need, worked out once (webrtc-address.ts). */
interface WsPeer {
  infoHash: string;
  /** 20-char binary string, and its bytes. */
  peerId: string;
  id: Buffer;
  ip: string;
  port: number;
}

const wsPeer = (infoHash: string, peerId: string): WsPeer => ({ infoHash, peerId, id: Buffer.from(peerId, 'latin1'), ...webRtcAddress(peerId) });

/**
 * One tracker socket: the peers it holds (key info hash hex + peer id; several WebTorrent
 * clients of one page share one socket, each with its peer id), budgets and strikes, and what is
 * queued for it this turn (ws-outbox.ts).
 */
class Conn extends OutQueue {
  readonly swarms = new Map<string, WsPeer>();
  lastSeen = Date.now();
  announceTokens = L.WS_ANNOUNCE_BURST;
  answerTokens = L.WS_ANSWER_BURST;
  at = Date.now();
  strikes = 0;
  unknown = 0;
  closed = false;
  constructor(readonly ws: WebSocket, socket: Duplex, private readonly outbox: Outbox) {
    super(socket);
  }

  open(): boolean {
    return !this.closed && this.ws.readyState === 1; // OPEN: no close frame sent or received
  }

  /** A relayed offer or answer: dropped when the socket is closed or not reading. */
  send(text: string | Uint8Array): boolean {
    if (!this.open() || this.socket.writableLength + this.bytes > L.WS_MAX_BUFFERED_BYTES) return false;
    this.outbox.queue(this, text);
    return true;
  }

  /** This socket's own reply: never dropped while it is open (its rate bounds what it can ask for). */
  reply(text: string): void {
    if (this.open()) this.outbox.queue(this, text);
  }

  refill(now: number): void {
    const dt = now - this.at;
    if (dt <= 0) return;
    this.at = now;
    this.announceTokens = Math.min(L.WS_ANNOUNCE_BURST, this.announceTokens + dt / L.WS_ANNOUNCE_REFILL_MS);
    this.answerTokens = Math.min(L.WS_ANSWER_BURST, this.answerTokens + (dt * L.WS_ANSWERS_PER_SECOND) / 1000);
  }
}

function refuse(socket: Duplex, status: 429 | 503, text: string): void {
  const body = `${text}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${status === 429 ? 'Too Many Requests' : 'Service Unavailable'}\r\nConnection: close\r\n`
    + `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: 10\r\n\r\n${body}`);
}

const js = JSON.stringify;

/**
 * Whether an upgrade request is for the WebSocket tracker: a WebSocket upgrade of /announce that
 * is not an HTTP announce (webtorrent's URL carries no info_hash; an HTTP announce that happens to
 * send Upgrade keeps its plain answer, as every non-WebSocket upgrade does).
 */
export function isWsTrackerUpgrade(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  if (url !== '/announce' && !url.startsWith('/announce?')) return false;
  if (!/(^|,)\s*websocket\s*(,|$)/i.test(req.headers.upgrade ?? '')) return false;
  return !/[?&]info_hash=/.test(url);
}

export function startWsTracker(ctx: TrackerContext, log: Logger): WsTracker {
  const wss = new WebSocketServer({ noServer: true, maxPayload: L.WS_TRACKER_MAX_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false });
  const swarms = new WsSwarms<Conn>();
  const conns = new Set<Conn>();
  const counts = new UpgradeCounts();
  const stats = new WsTrackerStats();
  const outbox = new Outbox();
  const interval = Math.min(ctx.interval, L.WS_ANNOUNCE_INTERVAL);
  let stopping = false;

  /** The torrent an info hash names (a hybrid's v2 announce hash is its one swarm); undefined: unregistered. */
  const torrentOf = (h: string): string | undefined => (ctx.registered.has(h) ? h : ctx.v2Aliases?.get(h));

  const request = (a: WsAnnounce, p: WsPeer, event: AnnounceRequest['event']): AnnounceRequest => ({
    infoHash: a.infoHashHex, peerId: p.id, port: p.port,
    uploaded: a.uploaded, downloaded: a.downloaded, left: a.left === Infinity ? Number.MAX_SAFE_INTEGER : a.left,
    event, numwant: 0, compact: true, noPeerId: true, ip: null, key: null,
  });

  const strike = (c: Conn, reason: string): void => {
    c.strikes++;
    if (c.strikes >= L.WS_RATE_STRIKES) {
      stats.closedFlood++;
      shut(c, 1008, reason);
    }
  };

  const unknown = (c: Conn): void => {
    c.unknown++;
    if (c.unknown >= L.WS_UNKNOWN_STRIKES) {
      stats.closedUnknown++;
      shut(c, 1008, 'too many unregistered torrents');
    }
  };

  const shut = (c: Conn, code: number, reason: string): void => {
    if (c.closed) return;
    outbox.flush(c); // what was queued (a failure reason, say) goes before the close frame
    leaveAll(c);
    c.ws.close(code, reason);
    const cut = setTimeout(() => c.ws.terminate(), 1000);
    cut.unref();
    c.ws.once('close', () => clearTimeout(cut));
  };

  /** The socket's peers leave their swarms (a `stopped` announce each), once. */
  const leaveAll = (c: Conn): void => {
    if (c.closed) return;
    c.closed = true;
    outbox.drop(c);
    conns.delete(c);
    for (const { infoHash: h, peerId, id, ip, port } of c.swarms.values()) {
      swarms.leave(h, peerId, c);
      if (!ctx.registered.has(h)) continue;
      const req: AnnounceRequest = { infoHash: h, peerId: id, port, uploaded: 0, downloaded: 0, left: 0, event: 'stopped', numwant: 0, compact: true, noPeerId: true, ip: null, key: null };
      try {
        const r = applyAnnounce(req, ip, ctx);
        if (r instanceof Promise) r.catch((err: unknown) => log.warn({ err }, 'ws tracker: stopped announce failed'));
      } catch (err) {
        log.warn({ err }, 'ws tracker: stopped announce failed');
      }
    }
    c.swarms.clear();
  };

  const reply = (c: Conn, a: WsAnnounce, r: AnnounceResult): void => {
    c.reply(`{"action":"announce","interval":${interval},"info_hash":${js(a.infoHash)},"complete":${r.complete},"incomplete":${r.incomplete}}`);
  };

  const relayAnswer = (c: Conn, a: WsAnnounce): void => {
    if (!c.swarms.has(a.infoHashHex + a.peerId)) throw new ClientError('answer for a torrent this socket did not announce');
    const to = swarms.get(a.infoHashHex, a.toPeerId!);
    if (to === undefined || !to.send(`{"action":"announce","answer":${js(a.answer)},"offer_id":${js(a.offerId)},"peer_id":${js(a.peerId)},"info_hash":${js(a.infoHash)}}`)) {
      stats.answersDropped++;
      return;
    }
    stats.answersRelayed++;
  };

  /** Each offer to one other member of the swarm: `offer` and `offer_id` as the client wrote them. */
  const relayOffers = (a: WsAnnounce): void => {
    let i = 0;
    const from = js(a.peerId), ih = js(a.infoHash);
    const tail = a.bytes === undefined ? undefined : Buffer.from(`,"peer_id":${from},"info_hash":${ih}}`);
    swarms.pick(a.infoHashHex, a.peerId, a.offers.length, (m) => {
      const o = a.offers[i++];
      const sent = o.raw !== undefined && tail !== undefined
        ? m.send(relayedOffer(a.bytes!, o.raw, tail))
        : m.send(`{"action":"announce","offer":${js(o.offer)},"offer_id":${js(o.offerId)},"peer_id":${from},"info_hash":${ih}}`);
      if (sent) stats.offersRelayed++;
    });
  };

  const announce = (c: Conn, a: WsAnnounce): void => {
    const start = performance.now();
    if (a.answer !== undefined) {
      if (c.answerTokens < 1) return strike(c, 'answer rate exceeded');
      c.answerTokens--;
      const t = torrentOf(a.infoHashHex);
      if (t === undefined) throw new UnregisteredTorrent();
      a.infoHashHex = t;
      relayAnswer(c, a);
      return;
    }
    if (c.announceTokens < 1) {
      c.reply(failureMessage('announce rate exceeded', 'announce', a.infoHash));
      return strike(c, 'announce rate exceeded');
    }
    c.announceTokens--;
    const torrent = torrentOf(a.infoHashHex);
    if (torrent === undefined) throw new UnregisteredTorrent();
    a.infoHashHex = torrent; // browsers of a hybrid meet under its one swarm
    const key = a.infoHashHex + a.peerId;
    const joined = c.swarms.get(key);
    if (joined === undefined && a.event !== 'stopped' && c.swarms.size >= L.WS_TRACKER_SWARMS_PER_SOCKET) {
      throw new ClientError(`at most ${L.WS_TRACKER_SWARMS_PER_SOCKET} torrents per socket`);
    }
    const peer = joined ?? wsPeer(a.infoHashHex, a.peerId);
    const out = applyAnnounce(request(a, peer, a.event), peer.ip, ctx); // throws UnregisteredTorrent
    if (a.event === 'stopped') {
      c.swarms.delete(key);
      swarms.leave(a.infoHashHex, a.peerId, c);
    } else {
      if (joined === undefined) {
        c.swarms.set(key, peer);
        swarms.join(a.infoHashHex, a.peerId, c);
      }
      if (a.offers.length > 0) relayOffers(a);
    }
    c.unknown = 0;
    if (out instanceof Promise) {
      out.then((r) => {
        stats.tracker.announced(OK, start);
        reply(c, a, r);
      }, (err: unknown) => {
        stats.tracker.announced(outcomeOf(err), start);
        log.error({ err }, 'ws tracker announce failed');
        c.reply(failureMessage('internal error', 'announce', a.infoHash));
      });
      return;
    }
    stats.tracker.announced(OK, start);
    reply(c, a, out);
  };

  const scrape = (c: Conn, s: WsScrape): void => {
    const start = performance.now();
    if (c.announceTokens < 1) {
      c.reply(failureMessage('scrape rate exceeded', 'scrape'));
      return strike(c, 'scrape rate exceeded');
    }
    c.announceTokens--;
    if (s.infoHashes.length === 0) throw new ClientError('info_hash required');
    const known = s.infoHashes.filter((b) => torrentOf(hexOf(b)) !== undefined);
    if (known.length === 0) throw new UnregisteredTorrent();
    c.unknown = 0;
    const answer = (counts: SwarmCounts[]): void => {
      const files: Record<string, SwarmCounts> = {};
      known.forEach((b, i) => {
        files[b] = { complete: counts[i].complete, incomplete: counts[i].incomplete, downloaded: counts[i].downloaded };
      });
      stats.tracker.scraped(OK, start);
      c.reply(js({ action: 'scrape', files }));
    };
    const counts = ctx.store.scrape(known.map((b) => torrentOf(hexOf(b)) as string));
    if (counts instanceof Promise) {
      counts.then(answer, (err: unknown) => {
        stats.tracker.scraped(outcomeOf(err), start);
        log.error({ err }, 'ws tracker scrape failed');
        c.reply(failureMessage('internal error', 'scrape'));
      });
    } else answer(counts);
  };

  const onMessage = (c: Conn, data: RawData, isBinary: boolean): void => {
    if (c.closed) return;
    const now = Date.now();
    c.lastSeen = now;
    c.refill(now);
    let m: WsAnnounce | WsScrape | undefined;
    try {
      if (isBinary) throw new ClientError('text messages only');
      m = parseWsMessage(data.toString(), Buffer.isBuffer(data) ? data : undefined);
      if (m.action === 'announce') announce(c, m);
      else scrape(c, m);
    } catch (err) {
      const action = m?.action;
      const ih = m?.action === 'announce' ? m.infoHash : undefined;
      if (err instanceof ClientError) {
        const outcome = err instanceof UnregisteredTorrent ? UNREGISTERED : MALFORMED;
        if (action === 'scrape') stats.tracker.scrapes[outcome]++;
        else stats.tracker.announces[outcome]++;
        c.reply(failureMessage(err.message, action ?? undefined, ih));
        if (err instanceof UnregisteredTorrent) unknown(c);
        else strike(c, 'too many bad messages');
      } else {
        stats.tracker.announces[outcomeOf(err)]++;
        log.error({ err }, 'ws tracker message failed');
        c.reply(failureMessage('internal error', action, ih));
      }
    }
  };

  const open = (ws: WebSocket, socket: Duplex): void => {
    const c = new Conn(ws, socket, outbox);
    if (stopping) {
      ws.close(1001, 'server shutting down');
      return;
    }
    conns.add(c);
    ws.on('message', (data, isBinary) => onMessage(c, data, isBinary));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => leaveAll(c));
  };

  const sweep = setInterval(() => {
    const before = Date.now() - L.timings.idleMs;
    for (const c of conns) {
      if (c.lastSeen < before) {
        stats.closedIdle++;
        shut(c, 1000, 'idle');
      }
    }
  }, L.timings.sweepMs);
  sweep.unref();

  return {
    stats,
    handleUpgrade(req, socket, head, ip) {
      if (socket.destroyed) return;
      if (stopping || counts.size >= L.WS_TRACKER_MAX_SOCKETS) {
        stats.refusedUpgrades++;
        return refuse(socket, 503, stopping ? 'server shutting down' : 'too many tracker connections');
      }
      if (counts.of(ip) >= L.WS_TRACKER_SOCKETS_PER_ADDRESS) {
        stats.refusedUpgrades++;
        return refuse(socket, 429, `at most ${L.WS_TRACKER_SOCKETS_PER_ADDRESS} tracker connections per address`);
      }
      counts.hold(ip, socket);
      wss.handleUpgrade(req, socket, head, (ws) => open(ws, socket));
    },
    sockets: () => counts.size,
    async stop() {
      stopping = true;
      clearInterval(sweep);
      for (const c of [...conns]) shut(c, 1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
