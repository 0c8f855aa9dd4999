import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_COUNTER } from '../../../server/tracker/counter.js';
import { ClientError } from '../../../server/tracker/errors.js';
import { DEFAULT_NUMWANT, MAX_NUMWANT } from '../../../server/tracker/parse-announce.js';
import {
  encodeAnnounce, encodeConnect, encodeError, encodeScrape, isConnect, MAX_PEERS_UDP6, MAX_SCRAPE_HASHES, parseUdpAnnounce, parseUdpScrape,
} from '../../../server/udp/udp-packets.js';
import { announcePacket, connectPacket, readAnnounce, readError, readScrape, scrapePacket } from '../../helpers/udp-client.js';

const HASH = '0123456789abcdef0123456789abcdef01234567';
const CID = Buffer.from('0102030405060708', 'hex');

describe('udp packets', () => {
  it('reads every announce field', () => {
    const a = parseUdpAnnounce(announcePacket(CID, {
      infoHash: HASH, peerId: '-LT2000-abcdefghijkl', port: 6881, left: 100n, downloaded: 5n, uploaded: 2n ** 64n - 1n, event: 2, key: 0xbeef, numWant: 30,
    }), false);
    assert.equal(a.infoHash, HASH);
    assert.equal(a.peerId.toString('latin1'), '-LT2000-abcdefghijkl');
    assert.deepEqual([a.port, a.left, a.downloaded, a.uploaded, a.event, a.numwant, a.key], [6881, 100, 5, MAX_COUNTER, 'started', 30, '0000beef']);
    assert.equal(a.compact, true);
    assert.equal(a.ip, null);
    assert.equal(a.urlData, undefined);
  });

  it('reads BEP 41 URL data across options, past NOP, up to EndOfOptions', () => {
    const opts = Buffer.concat([Buffer.from([1, 2, 5]), Buffer.from('/anno'), Buffer.from([2, 4]), Buffer.from('unce'), Buffer.from([0, 2, 3]), Buffer.from('xyz')]);
    assert.equal(parseUdpAnnounce(announcePacket(CID, { infoHash: HASH, peerId: 'p', port: 1, options: opts }), false).urlData, '/announce');
    // an option cut short is dropped, not read past the datagram
    const cut = Buffer.concat([Buffer.from([2, 200]), Buffer.from('/a')]);
    assert.equal(parseUdpAnnounce(announcePacket(CID, { infoHash: HASH, peerId: 'p', port: 1, options: cut }), false).urlData, undefined);
  });

  it('takes num_want -1 as the default and caps a huge one (66 peers for IPv6 senders)', () => {
    const want = (numWant: number, v6: boolean): number => parseUdpAnnounce(announcePacket(CID, { infoHash: HASH, peerId: 'p', port: 1, numWant }), v6).numwant;
    assert.equal(want(-1, false), DEFAULT_NUMWANT);
    assert.equal(want(-5, false), DEFAULT_NUMWANT);
    assert.equal(want(0x7fffffff, false), MAX_NUMWANT);
    assert.equal(want(0x7fffffff, true), MAX_PEERS_UDP6);
    assert.equal(want(0, false), 0);
  });

  it('refuses port 0, an unknown event and a short announce', () => {
    assert.throws(() => parseUdpAnnounce(announcePacket(CID, { infoHash: HASH, peerId: 'p', port: 0 }), false), /invalid port/);
    assert.throws(() => parseUdpAnnounce(announcePacket(CID, { infoHash: HASH, peerId: 'p', port: 1, event: 4 }), false), /invalid event/);
    assert.throws(() => parseUdpAnnounce(announcePacket(CID, { infoHash: HASH, peerId: 'p', port: 1 }).subarray(0, 97), false), ClientError);
  });

  it('reads 1 to 74 scrape hashes and refuses 0, 75 or a cut one', () => {
    assert.deepEqual(parseUdpScrape(scrapePacket(CID, [HASH])), [HASH]);
    assert.equal(parseUdpScrape(scrapePacket(CID, Array(MAX_SCRAPE_HASHES).fill(HASH))).length, 74);
    assert.throws(() => parseUdpScrape(scrapePacket(CID, [])), /at least one/);
    assert.throws(() => parseUdpScrape(scrapePacket(CID, Array(75).fill(HASH))), /too many/);
    assert.throws(() => parseUdpScrape(scrapePacket(CID, [HASH]).subarray(0, 30)), /20 bytes/);
  });

  it('writes connect, announce and scrape replies with the transaction id', () => {
    const req = connectPacket(0xcafe);
    assert.equal(isConnect(req), true);
    const c = encodeConnect(req, CID);
    assert.deepEqual([c.length, c.readUInt32BE(0), c.readUInt32BE(4), c.subarray(8).toString('hex')], [16, 0, 0xcafe, CID.toString('hex')]);
    const ann = announcePacket(CID, { infoHash: HASH, peerId: 'p', port: 1, tx: 77 });
    const peers = Buffer.from([127, 0, 0, 1, 0x1a, 0xe1]);
    const a = encodeAnnounce(ann, 1800, 3, 4, peers, 6);
    assert.equal(a.readUInt32BE(4), 77);
    assert.deepEqual(readAnnounce(a), { interval: 1800, leechers: 3, seeders: 4, peers: ['127.0.0.1:6881'] });
    const s = encodeScrape(scrapePacket(CID, [HASH, HASH]), [{ complete: 1, downloaded: 2, incomplete: 3 }, { complete: 0, downloaded: 0, incomplete: 0 }]);
    assert.deepEqual(readScrape(s), [[1, 2, 3], [0, 0, 0]]);
  });

  it('cuts an error message so the reply is never longer than the request', () => {
    const req = scrapePacket(CID, []);
    const e = encodeError(req, 'a message far longer than sixteen bytes');
    assert.equal(e.length, req.length);
    assert.equal(readError(e), 'a messag');
    assert.equal(e.readUInt32BE(4), 0x9abc);
  });
});
