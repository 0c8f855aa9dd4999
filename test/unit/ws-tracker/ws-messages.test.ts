// The WebSocket tracker's message parser (server/ws-tracker/ws-messages.ts) and its write batching
// (ws-outbox.ts): what is refused, and that what is relayed is always valid JSON.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { ClientError } from '../../../server/tracker/errors.js';
import { Outbox, OutQueue } from '../../../server/ws-tracker/ws-outbox.js';
import { WS_MAX_OFFERS_RELAYED } from '../../../server/ws-tracker/ws-limits.js';
import { parseWsMessage, WS_MAX_SCRAPE_HASHES, type WsAnnounce } from '../../../server/ws-tracker/ws-messages.js';

const id = (c: string): string => c.repeat(20);
const announce = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ action: 'announce', info_hash: id('a'), peer_id: id('p'), left: 10, event: 'started', ...extra });
const refused = (text: string, reason: RegExp): void =>
  assert.throws(() => parseWsMessage(text), (e: unknown) => e instanceof ClientError && reason.test(e.message));

describe('WebSocket tracker messages', () => {
  it('parses an announce with offers, capping them at WS_MAX_OFFERS_RELAYED', () => {
    const offers = Array.from({ length: WS_MAX_OFFERS_RELAYED + 5 }, (_, i) => ({ offer: { type: 'offer', sdp: `v=${i}` }, offer_id: id(String.fromCharCode(65 + (i % 26))) }));
    const a = parseWsMessage(announce({ offers })) as WsAnnounce;
    assert.equal(a.action, 'announce');
    assert.equal(a.infoHashHex, '61'.repeat(20));
    assert.equal(a.offers.length, WS_MAX_OFFERS_RELAYED);
    assert.deepEqual(a.offers[1].offer, { type: 'offer', sdp: 'v=1' });
    assert.equal(a.left, 10);
  });

  it('refuses an offer without an offer object (it would be relayed as invalid JSON)', () => {
    refused(announce({ offers: [{ offer_id: id('o') }] }), /invalid offer/);
    refused(announce({ offers: [{ offer: null, offer_id: id('o') }] }), /invalid offer/);
    refused(announce({ offers: [{ offer: 'sdp', offer_id: id('o') }] }), /invalid offer/);
    refused(announce({ offers: [7] }), /invalid offer/);
  });

  it('every relayed offer serialises to JSON that parses back', () => {
    const a = parseWsMessage(announce({ offers: [{ offer: { type: 'offer', sdp: 'x\u0000"\\' }, offer_id: id('\u00ff') }] })) as WsAnnounce;
    const relayed = `{"action":"announce","offer":${JSON.stringify(a.offers[0].offer)},"offer_id":${JSON.stringify(a.offers[0].offerId)}}`;
    assert.deepEqual(JSON.parse(relayed).offer, { type: 'offer', sdp: 'x\u0000"\\' });
  });

  it('requires to_peer_id and offer_id with an answer', () => {
    refused(announce({ answer: { type: 'answer', sdp: 'y' } }), /to_peer_id/);
    refused(announce({ answer: { type: 'answer' }, to_peer_id: id('t') }), /offer_id/);
    const a = parseWsMessage(announce({ answer: { type: 'answer' }, to_peer_id: id('t'), offer_id: id('o') })) as WsAnnounce;
    assert.equal(a.toPeerId, id('t'));
  });

  it('refuses ids that are not 20 byte-valued characters, unknown actions and events', () => {
    refused(announce({ info_hash: 'a'.repeat(19) }), /invalid info_hash/);
    refused(announce({ peer_id: '\u0100'.repeat(20) }), /invalid peer_id/);
    refused(announce({ event: 'bogus' }), /invalid event/);
    refused(JSON.stringify({ action: 'connect' }), /invalid action/);
    refused('[1]', /invalid message/);
    refused('null', /invalid message/);
  });

  it(`takes at most ${WS_MAX_SCRAPE_HASHES} hashes per scrape`, () => {
    assert.deepEqual(parseWsMessage(JSON.stringify({ action: 'scrape' })), { action: 'scrape', infoHashes: [] });
    assert.equal((parseWsMessage(JSON.stringify({ action: 'scrape', info_hash: id('s') })) as { infoHashes: string[] }).infoHashes.length, 1);
    refused(JSON.stringify({ action: 'scrape', info_hash: Array.from({ length: WS_MAX_SCRAPE_HASHES + 1 }, () => id('s')) }), /at most/);
  });

  it('left null or absent is unknown (Infinity), as webtorrent sends before it has the metadata', () => {
    assert.equal((parseWsMessage(announce({ left: null })) as WsAnnounce).left, Infinity);
  });
});

describe('Outbox', () => {
  class Q extends OutQueue {
    isOpen = true;
    open(): boolean {
      return this.isOpen;
    }
  }
  /** The text payloads of the unmasked text frames in `b`. */
  const frames = (b: Buffer): string[] => {
    const out: string[] = [];
    for (let off = 0; off < b.length;) {
      assert.equal(b[off], 0x81); // FIN, text
      let n = b[off + 1], at = off + 2;
      assert.equal(n & 0x80, 0); // a server never masks
      if (n === 126) [n, at] = [b.readUInt16BE(off + 2), off + 4];
      else if (n === 127) [n, at] = [b.readUInt32BE(off + 6), off + 10];
      out.push(b.toString('utf8', at, at + n));
      off = at + n;
    }
    return out;
  };

  /** An outbox and one socket's queue on a PassThrough, with what was written to it. */
  const socketWithOutbox = (): { outbox: Outbox; q: Q; writes: Buffer[] } => {
    const s = new PassThrough();
    const writes: Buffer[] = [];
    s.on('data', (d: Buffer) => writes.push(d));
    return { outbox: new Outbox(), q: new Q(s), writes };
  };

  it('writes what a turn queued on a socket as text frames in one write, in order', async () => {
    const { outbox, q, writes } = socketWithOutbox();
    const long = 'é'.repeat(200), huge = 'x'.repeat(70_000);
    outbox.queue(q, 'a');
    outbox.queue(q, long);
    outbox.queue(q, huge);
    assert.equal(q.bytes, 1 + 400 + 70_000);
    assert.equal(writes.length, 0);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(writes.length, 1);
    assert.deepEqual(frames(writes[0]), ['a', long, huge]);
    assert.equal(q.bytes, 0);
  });

  it('flush writes at once, and nothing is written once the socket is closing', async () => {
    const { outbox, q, writes } = socketWithOutbox();
    outbox.queue(q, 'reply');
    outbox.flush(q);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(writes.flatMap(frames), ['reply']);
    outbox.queue(q, 'late');
    q.isOpen = false;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(writes.length, 1);
  });
});
