// npm bittorrent-tracker's Client (webtorrent's tracker client) against a WebSocket tracker, in
// Node with no WebRTC: its WebSocketTracker's _createPeer is replaced by a stand-in peer that
// signals a made-up SDP at once, so the client's own offer/answer messages go over the wire
// exactly as in a browser; what each stand-in was signalled is recorded for the test to read.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Client } from 'bittorrent-tracker';
import { WebSocket } from 'ws';

let made = 0;

/** A simple-peer stand-in: an initiator signals an offer, a receiver answers the offer it is given. */
export class FakePeer extends EventEmitter {
  id = '';
  readonly sdp: string;
  /** What the remote side signalled (an offer for a receiver, the answer for an initiator). */
  remote: { type: string; sdp: string } | undefined;
  destroyed = false;

  constructor(readonly initiator: boolean, readonly owner: string) {
    super();
    this.sdp = `${owner}-${initiator ? 'offer' : 'answer'}-${++made}`;
    if (initiator) setImmediate(() => this.emit('signal', { type: 'offer', sdp: this.sdp }));
  }

  signal(data: { type: string; sdp: string }): void {
    this.remote = data;
    if (!this.initiator) setImmediate(() => this.emit('signal', { type: 'answer', sdp: `${this.sdp}-for-${data.sdp}` }));
  }

  destroy(): void {
    this.destroyed = true;
  }
}

export interface TrackerClient {
  client: Client;
  peerId: string;
  /** Every peer the client emitted ('peer': an offer received, or an answer to one of its offers). */
  peers: FakePeer[];
  /** Offers it created (initiator stand-ins). */
  offers: FakePeer[];
  updates: Record<string, unknown>[];
  warnings: string[];
  /** What the client reports as `left` from its next announce on (0: a seeder). */
  state: { left: number };
  close(): Promise<void>;
}

/**
 * A Client for `infoHash` on `wsUrl` with its own socket (bittorrent-tracker pools sockets by URL:
 * a distinct query string per client keeps them apart). `left` 0 makes it a seeder.
 */
export function trackerClient(wsUrl: string, infoHash: string, name: string, opts: { left?: number; numwant?: number } = {}): TrackerClient {
  const peerId = randomBytes(20).toString('hex');
  const state = { left: opts.left ?? 1000 };
  const client = new Client({
    infoHash, peerId, announce: [`${wsUrl}?${name}-${randomBytes(4).toString('hex')}`], port: 6881, wrtc: {},
    getAnnounceOpts: () => ({ left: state.left, ...(opts.numwant === undefined ? {} : { numwant: opts.numwant }) }),
  });
  const t: TrackerClient = { client, peerId, peers: [], offers: [], updates: [], warnings: [], state, close: () => new Promise((r) => {
    // destroy() waits for the socket's close, which a socket the server already closed never repeats
    const cut = setTimeout(r, 2000);
    client.destroy(() => {
      clearTimeout(cut);
      r();
    });
  }) };
  for (const tr of client._trackers as { _createPeer?: unknown }[]) {
    tr._createPeer = (o?: { initiator?: boolean }): FakePeer => {
      const p = new FakePeer(o?.initiator === true, name);
      if (p.initiator) t.offers.push(p);
      return p;
    };
  }
  client.on('peer', (p: FakePeer) => t.peers.push(p));
  client.on('update', (u: Record<string, unknown>) => t.updates.push(u));
  client.on('warning', (e: Error) => t.warnings.push(e.message));
  client.on('error', (e: Error) => t.warnings.push(e.message));
  return t;
}

/** A raw WebSocket to the tracker, collecting the JSON it receives (for the bounds the client never crosses). */
export interface RawTrackerSocket {
  ws: WebSocket;
  received: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
  send(m: unknown): void;
}

export function rawTrackerSocket(wsUrl: string): Promise<RawTrackerSocket> {
  const ws = new WebSocket(wsUrl);
  const received: Record<string, unknown>[] = [];
  ws.on('message', (d) => received.push(JSON.parse(d.toString()) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, received, closed, send: (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)) }));
    ws.once('error', reject);
  });
}

/** The protocol's binary-string form of a hex id. */
export const bin = (hex: string): string => Buffer.from(hex, 'hex').toString('latin1');
