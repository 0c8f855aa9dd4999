import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientError } from '../../../server/tracker/errors.js';
import { DEFAULT_NUMWANT, MAX_NUMWANT, parseAnnounce } from '../../../server/tracker/parse-announce.js';
import { escapeBytes } from '../../helpers/tracker-client.js';

const HASH = Buffer.from('0123456789abcdef0123456789abcdef01234567', 'hex');
const PEER = Buffer.from('-qB4650-\x00\xff%&=+ abcde', 'latin1');
const base = (over: Record<string, string | null> = {}): string => {
  const p: Record<string, string | null> = {
    info_hash: escapeBytes(HASH), peer_id: escapeBytes(PEER), port: '6881', uploaded: '0', downloaded: '0', left: '100', ...over,
  };
  return Object.entries(p).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`).join('&');
};

describe('parseAnnounce', () => {
  it('decodes raw percent-encoded info_hash and peer_id bytes', () => {
    const a = parseAnnounce(base());
    assert.equal(a.infoHash, HASH.toString('hex'));
    assert.deepEqual(a.peerId, PEER);
    assert.equal(a.port, 6881);
    assert.equal(a.left, 100);
    assert.equal(a.event, '');
    assert.equal(a.numwant, DEFAULT_NUMWANT);
    assert.equal(a.compact, true);
  });

  it('accepts every byte value, lowercase escapes and literal unreserved characters', () => {
    const all = Buffer.from(Array.from({ length: 20 }, (_, i) => (i * 13 + 250) & 0xff));
    const lower = escapeBytes(all).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    assert.equal(parseAnnounce(base({ info_hash: lower })).infoHash, all.toString('hex'));
  });

  it('reads events, numwant (capped), compact=0 and no_peer_id', () => {
    const a = parseAnnounce(base({ event: 'completed', numwant: '500', compact: '0', no_peer_id: '1', key: 'ABCD1234' }));
    assert.equal(a.event, 'completed');
    assert.equal(a.numwant, MAX_NUMWANT);
    assert.equal(a.compact, false);
    assert.equal(a.noPeerId, true);
    assert.equal(a.key, 'ABCD1234');
    assert.equal(parseAnnounce(base({ event: 'empty' })).event, '');
    assert.equal(parseAnnounce(base({ event: 'paused' })).event, 'paused');
    assert.equal(parseAnnounce(base({ numwant: '0' })).numwant, 0);
  });

  it('accepts counters up to 2^64-1 (Transmission sends left=2^63-1 without metadata), saturated at 2^53-1', () => {
    const a = parseAnnounce(base({ left: '9223372036854775807', uploaded: '18446744073709551615', downloaded: '9007199254740991' }));
    assert.deepEqual([a.left, a.uploaded, a.downloaded], [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
    assert.equal(parseAnnounce(base({ left: '9007199254740992' })).left, Number.MAX_SAFE_INTEGER);
    assert.equal(parseAnnounce(base({ left: '0' })).left, 0);
    assert.equal(parseAnnounce(base({ numwant: '18446744073709551615' })).numwant, MAX_NUMWANT);
  });

  it('ignores parameters it does not know', () => {
    assert.equal(parseAnnounce(base({ corrupt: '0', supportcrypto: '1', trackerid: 'x', 'weird%00': 'y' })).port, 6881);
  });

  it('passes the ip parameter through for the HTTP layer to judge', () => {
    assert.equal(parseAnnounce(base({ ip: '10.0.0.7' })).ip, '10.0.0.7');
    assert.equal(parseAnnounce(base()).ip, null);
  });

  const bad: [string, string, RegExp][] = [
    ['an info_hash of 19 bytes', base({ info_hash: escapeBytes(HASH.subarray(0, 19)) }), /info_hash: must be 20 bytes, got 19/],
    ['an info_hash of 21 bytes', base({ info_hash: escapeBytes(Buffer.concat([HASH, Buffer.from([1])])) }), /info_hash: must be 20 bytes, got 21/],
    ['a huge info_hash', base({ info_hash: 'a'.repeat(200) }), /info_hash: must be 20 bytes, got more than 64/],
    ['a missing info_hash', base({ info_hash: null }), /missing info_hash/],
    ['a missing peer_id', base({ peer_id: null }), /missing peer_id/],
    ['a peer_id of 19 bytes', base({ peer_id: 'a'.repeat(19) }), /peer_id: must be 20 bytes, got 19/],
    ['a missing port', base({ port: null }), /missing port/],
    ['port 0', base({ port: '0' }), /invalid port/],
    ['port 65536', base({ port: '65536' }), /invalid port/],
    ['a non-numeric port', base({ port: 'http' }), /invalid port/],
    ['a negative uploaded', base({ uploaded: '-1' }), /invalid uploaded/],
    ['a non-numeric downloaded', base({ downloaded: '12abc' }), /invalid downloaded/],
    ['a negative left', base({ left: '-100' }), /invalid left/],
    ['an empty left', base({ left: '' }), /invalid left/],
    ['a fractional left', base({ left: '1.5' }), /invalid left/],
    ['a left of 2^64', base({ left: '18446744073709551616' }), /^invalid left: must be at most 2\^64-1/],
    ['a leading + in left', base({ left: '+5' }), /^invalid left: must be a non-negative integer$/],
    ['an uploaded of 2^64', base({ uploaded: '18446744073709551616' }), /^invalid uploaded: must be at most 2\^64-1/],
    ['a fractional downloaded', base({ downloaded: '0.5' }), /^invalid downloaded: must be a non-negative integer$/],
    ['a port of 2^64-1', base({ port: '18446744073709551615' }), /^invalid port: must be 1 to 65535$/],
    ['a missing left', base({ left: null }), /missing left/],
    ['a missing uploaded', base({ uploaded: null }), /missing uploaded/],
    ['an unknown event', base({ event: 'finished' }), /invalid event/],
    ['a negative numwant', base({ numwant: '-5' }), /invalid numwant/],
    ['a doubled info_hash', `${base()}&info_hash=${escapeBytes(HASH)}`, /duplicate parameter info_hash/],
    ['a doubled port', `${base()}&port=6882`, /duplicate parameter port/],
    ['a doubled event', base({ event: 'started' }) + '&event=stopped', /duplicate parameter event/],
    ['a 10 KiB query string', base({ pad: 'x'.repeat(10 * 1024) }), /request too long/],
    ['an invalid percent escape', base({ info_hash: '%ZZ' + escapeBytes(HASH.subarray(1)) }), /invalid percent-encoding in info_hash/],
    ['a truncated percent escape', base({ peer_id: escapeBytes(PEER.subarray(0, 19)) + '%4' }), /invalid percent-encoding in peer_id/],
    ['an escape in the ip value', base({ ip: '1.2.3.%G' }), /invalid percent-encoding in ip/],
    ['a non-latin1 character', base({ peer_id: 'ā'.repeat(20) }), /invalid character in peer_id/],
    ['an empty query', '', /missing info_hash/],
  ];
  for (const [what, query, reason] of bad) {
    it(`refuses ${what} with a clear failure reason`, () => {
      assert.throws(() => parseAnnounce(query), (e: unknown) => e instanceof ClientError && reason.test(e.message));
    });
  }
});
