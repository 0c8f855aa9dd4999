// The offer finder (server/ws-tracker/raw-offers.ts): each span is exactly the client's bytes of
// that offer and offer_id, for any JSON the parser accepts, and the parser relays through it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findOfferSpans, relayedOffer } from '../../../server/ws-tracker/raw-offers.js';
import { parseWsMessage, type WsAnnounce } from '../../../server/ws-tracker/ws-messages.js';

const id = (c: string): string => c.repeat(20);
/** The offer and offer_id texts the spans of `text` point at. */
const found = (text: string, max = 10): [string, string][] | undefined => {
  const b = Buffer.from(text);
  return findOfferSpans(b, max)?.map((s) => [b.toString('utf8', s.start, s.end), b.toString('utf8', s.idStart, s.idEnd)]);
};

describe('raw offers', () => {
  it('finds each offer and offer_id as written, nested objects and odd strings included', () => {
    const offers = [
      { offer: { type: 'offer', sdp: 'v=0\r\na=x:"{[}]"\\', nested: { a: [1, { b: '}' }], c: null } }, offer_id: id('\u00ff') },
      { offer_id: id('\u0001'), offer: { type: 'offer', sdp: 'é 漢字 😀 \u2028' } },
      { offer: {}, offer_id: id('"') },
    ];
    const text = JSON.stringify({ action: 'announce', info_hash: id('\\'), peer_id: id('{'), offers, numwant: 3 });
    assert.deepEqual(found(text), offers.map((o) => [JSON.stringify(o.offer), JSON.stringify(o.offer_id)]));
  });

  it('keeps the client\'s own spacing and escapes, and the last of duplicate keys (as JSON.parse)', () => {
    const text = ' { "offers" : [ 1 ] , "action":"announce",\n"offers"\t:\r[ { "offer" : { "sdp" : "\\u0041\\"" } , "offer_id":"\\u0061bc",'
      + ' "offer": {"sdp": "B"} } , {"off\\u0065r":{"x":[]},"offer_\\u0069d":"i"} ] } ';
    assert.deepEqual(found(text), [['{"sdp": "B"}', '"\\u0061bc"'], ['{"x":[]}', '"i"']]);
  });

  it('takes the first `max` offers and skips the rest', () => {
    const text = JSON.stringify({ offers: [{ offer: { n: 1 }, offer_id: 'a' }, { offer: { n: 2 }, offer_id: 'b' }, 'junk', [{}]] });
    assert.deepEqual(found(text, 2), [['{"n":1}', '"a"'], ['{"n":2}', '"b"']]);
  });

  it('gives nothing when there is no offers array, an offer is not an object, or the bytes are not JSON', () => {
    assert.equal(found('{"action":"announce"}'), undefined);
    assert.equal(found('{"offers":{"offer":{}}}'), undefined);
    assert.equal(found('{"offers":[{"offer":{}}, 7]}'), undefined);
    assert.deepEqual(found('{"offers":[]}'), []);
    for (const bad of ['', '[', '{"offers":[{"offer":{"a":"}', '{"offers":[{"offer":{}} 1]}', '{"offers"', '"x"', '{"a":1 "b":2}']) {
      assert.equal(found(bad), undefined, bad);
    }
  });

  it('the parser relays through the spans, and parses the same offers either way', () => {
    const offers = [{ offer: { type: 'offer', sdp: 'x\u0000"\\ é' }, offer_id: id('\u00fe') }];
    const text = JSON.stringify({ action: 'announce', info_hash: id('a'), peer_id: id('p'), offers });
    const bytes = Buffer.from(text);
    const a = parseWsMessage(text, bytes) as WsAnnounce;
    assert.equal(a.bytes, bytes);
    const s = a.offers[0].raw!;
    assert.deepEqual(JSON.parse(bytes.toString('utf8', s.start, s.end)), a.offers[0].offer);
    assert.equal(JSON.parse(bytes.toString('utf8', s.idStart, s.idEnd)), a.offers[0].offerId);
    assert.equal((parseWsMessage(text) as WsAnnounce).offers[0].raw, undefined);
    const relayed = JSON.parse(relayedOffer(bytes, s, Buffer.from(`,"peer_id":${JSON.stringify(a.peerId)},"info_hash":${JSON.stringify(a.infoHash)}}`)).toString());
    assert.deepEqual(relayed, { action: 'announce', offer: offers[0].offer, offer_id: offers[0].offer_id, peer_id: id('p'), info_hash: id('a') });
  });
});
