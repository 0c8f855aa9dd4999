// webtorrent's WebSocket tracker protocol (bittorrent-tracker's lib/server/parse-websocket.js and
// lib/client/websocket-tracker.js): JSON text messages; info_hash, peer_id, to_peer_id and
// offer_id are 20-character binary strings (one char per byte, as JSON carries them).
import { ClientError } from '../tracker/errors.js';
import type { AnnounceEvent } from '../tracker/announce-request.js';
import { WS_MAX_OFFERS_RELAYED } from './ws-limits.js';
import { findOfferSpans, type OfferSpan } from './raw-offers.js';

/** Info hashes one scrape may ask for. */
export const WS_MAX_SCRAPE_HASHES = 64;

export interface WsOffer {
  offer: unknown;
  /** 20-char binary string. */
  offerId: string;
  /** Where `offer` and `offer_id` are in the announce's bytes (WsAnnounce.bytes), to relay them as sent. */
  raw?: OfferSpan;
}

export interface WsAnnounce {
  action: 'announce';
  /** 20-char binary string, and its lowercase hex. */
  infoHash: string;
  infoHashHex: string;
  peerId: string;
  event: AnnounceEvent;
  uploaded: number;
  downloaded: number;
  /** Infinity when unknown (null or absent: webtorrent's `left` before metadata). */
  left: number;
  offers: WsOffer[];
  /** The message as received, when the offers' spans (WsOffer.raw) point into it. */
  bytes?: Buffer;
  /** An answer to relay to toPeerId, for offerId. */
  answer?: unknown;
  toPeerId?: string;
  offerId?: string;
}

export interface WsScrape {
  action: 'scrape';
  /** Binary strings; empty: none given. */
  infoHashes: string[];
}

/** A 20-character string of byte-valued chars, as the protocol carries ids. */
function id20(v: unknown, name: string): string {
  if (typeof v !== 'string' || v.length !== 20) throw new ClientError(`invalid ${name}`);
  for (let i = 0; i < 20; i++) if (v.charCodeAt(i) > 255) throw new ClientError(`invalid ${name}`);
  return v;
}

export const hexOf = (bin: string): string => Buffer.from(bin, 'latin1').toString('hex');
export const binOf = (hex: string): string => Buffer.from(hex, 'hex').toString('latin1');

function count(v: unknown): number {
  const n = Number(v ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), Number.MAX_SAFE_INTEGER) : 0;
}

function event(v: unknown): AnnounceEvent {
  if (v === undefined || v === null || v === '' || v === 'update' || v === 'empty') return '';
  if (v === 'started' || v === 'completed' || v === 'stopped' || v === 'paused') return v;
  throw new ClientError('invalid event');
}

/**
 * Parses one text message (`bytes`: the same message as received, to find the offers in);
 * throws ClientError (answered as `failure reason`) for bad input.
 */
export function parseWsMessage(text: string, bytes?: Buffer): WsAnnounce | WsScrape {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new ClientError('invalid JSON');
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new ClientError('invalid message');
  const o = m as Record<string, unknown>;
  if (o.action === 'scrape') {
    const h = o.info_hash;
    const list = h === undefined ? [] : Array.isArray(h) ? h : [h];
    if (list.length > WS_MAX_SCRAPE_HASHES) throw new ClientError(`at most ${WS_MAX_SCRAPE_HASHES} info_hash per scrape`);
    return { action: 'scrape', infoHashes: list.map((x) => id20(x, 'info_hash')) };
  }
  if (o.action !== 'announce') throw new ClientError(`invalid action in WS request: ${String(o.action).slice(0, 20)}`);
  const infoHash = id20(o.info_hash, 'info_hash');
  const a: WsAnnounce = {
    action: 'announce', infoHash, infoHashHex: hexOf(infoHash), peerId: id20(o.peer_id, 'peer_id'),
    event: event(o.event), uploaded: count(o.uploaded), downloaded: count(o.downloaded),
    left: o.left === null || o.left === undefined || !Number.isFinite(Number(o.left)) ? Infinity : count(o.left),
    offers: [],
  };
  if (o.answer !== undefined) {
    a.answer = o.answer;
    a.toPeerId = id20(o.to_peer_id, 'to_peer_id (required with answer)');
    a.offerId = id20(o.offer_id, 'offer_id');
  }
  if (Array.isArray(o.offers)) {
    for (const x of o.offers.slice(0, WS_MAX_OFFERS_RELAYED)) {
      if (typeof x !== 'object' || x === null) throw new ClientError('invalid offer');
      const f = x as Record<string, unknown>;
      // relayed as JSON: a missing offer would be written as `"offer":undefined`, which no client parses
      if (typeof f.offer !== 'object' || f.offer === null) throw new ClientError('invalid offer (an object required)');
      a.offers.push({ offer: f.offer, offerId: id20(f.offer_id, 'offer_id') });
    }
    const spans = bytes === undefined || a.offers.length === 0 ? undefined : findOfferSpans(bytes, WS_MAX_OFFERS_RELAYED);
    // the walk and JSON.parse agree on any valid JSON; if they did not, the offers are serialised again
    if (spans !== undefined && spans.length === a.offers.length && spans.every((x) => x.start >= 0 && x.idStart >= 0)) {
      a.bytes = bytes;
      for (let i = 0; i < spans.length; i++) a.offers[i].raw = spans[i];
    }
  }
  return a;
}

/** `{"failure reason": ...}` with the action and info_hash the client matches replies by. */
export function failureMessage(reason: string, action?: 'announce' | 'scrape', infoHash?: string): string {
  return JSON.stringify(action === undefined ? { 'failure reason': reason } : { action, 'failure reason': reason, info_hash: infoHash });
}
