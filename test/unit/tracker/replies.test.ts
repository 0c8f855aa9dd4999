import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import bencode from 'bencode';
import { decodeCompactPeer } from '../../../server/tracker/compact-peer.js';
import { MAX_NUMWANT } from '../../../server/tracker/parse-announce.js';
import { AnnounceResult } from '../../../server/tracker/peer-store.js';
import { encodeCompactAnnounce, encodeDictAnnounce, encodeFailure, encodeScrape, encodeScrapeFiles, encodeScrapeReply } from '../../../server/tracker/replies.js';
import { bdecode } from '../../helpers/bdecode.js';

/** A deterministic pseudo-random byte source, so a failure can be replayed. */
function bytes(seed: number): (n: number) => Buffer {
  let s = seed;
  return (n) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      b[i] = s >>> 16;
    }
    return b;
  };
}

/** The same reply built as a structure and encoded by the `bencode` package (the reference). */
function referenceDict(r: AnnounceResult, interval: number, minInterval: number, noPeerId: boolean): Buffer {
  const peers: Record<string, unknown>[] = [];
  const add = (buf: Buffer, len: number, size: number, ids: Buffer): void => {
    for (let o = 0, i = 0; o < len; o += size, i++) {
      const { ip, port } = decodeCompactPeer(buf, o, size === 18);
      peers.push(noPeerId ? { ip, port } : { ip, 'peer id': ids.subarray(i * 20, i * 20 + 20), port });
    }
  };
  add(r.peers4, r.peers4Len, 6, r.ids4);
  add(r.peers6, r.peers6Len, 18, r.ids6);
  return Buffer.from(bencode.encode({
    complete: r.complete, downloaded: r.downloaded, incomplete: r.incomplete, interval, 'min interval': minInterval, peers,
  }));
}

describe('tracker replies', () => {
  it('encodes a failure as a single failure reason key, UTF-8 safe', () => {
    assert.deepEqual(bdecode(encodeFailure('unregistered torrent – ü')), { 'failure reason': Buffer.from('unregistered torrent – ü') });
  });

  it('encodes a compact reply with peers, and peers6 only when there are IPv6 peers', () => {
    const r = new AnnounceResult();
    r.complete = 2; r.incomplete = 3; r.downloaded = 7;
    Buffer.from([127, 0, 0, 1, 0x1a, 0xe1]).copy(r.peers4); r.peers4Len = 6;
    const d = bdecode(encodeCompactAnnounce(r, 1800, 900)) as Record<string, unknown>;
    assert.deepEqual(d, { complete: 2, downloaded: 7, incomplete: 3, interval: 1800, 'min interval': 900, peers: Buffer.from([127, 0, 0, 1, 0x1a, 0xe1]) });
    Buffer.alloc(18, 1).copy(r.peers6); r.peers6Len = 18;
    const d6 = bdecode(encodeCompactAnnounce(r, 1800, 900)) as Record<string, Buffer>;
    assert.equal(d6.peers6.length, 18);
  });

  it('encodes the dictionary model with and without peer ids', () => {
    const r = new AnnounceResult();
    r.roomForIds();
    Buffer.from([10, 1, 2, 3, 0, 80]).copy(r.peers4); r.peers4Len = 6;
    r.ids4.fill(65, 0, 20);
    const withIds = bdecode(encodeDictAnnounce(r, 60, 30, false)) as { peers: Record<string, unknown>[] };
    assert.deepEqual(withIds.peers, [{ ip: Buffer.from('10.1.2.3'), port: 80, 'peer id': Buffer.alloc(20, 65) }]);
    const noIds = bdecode(encodeDictAnnounce(r, 60, 30, true)) as { peers: Record<string, unknown>[] };
    assert.deepEqual(noIds.peers, [{ ip: Buffer.from('10.1.2.3'), port: 80 }]);
  });

  it('writes the dictionary model byte for byte as the bencode package does, for any peers', () => {
    const rnd = bytes(11);
    const edges4 = [[0, 0, 0, 0, 0, 1], [255, 255, 255, 255, 255, 255], [9, 10, 99, 100, 0x27, 0x0f], [1, 2, 3, 4, 0x27, 0x10]];
    const edges6 = [Buffer.alloc(18), Buffer.alloc(18, 0xff), Buffer.from('20010db8000000000000000000010fff0001', 'hex'), Buffer.from('000f00f00f00f000000100100100100000ff', 'hex')];
    for (let round = 0; round < 60; round++) {
      const r = new AnnounceResult();
      r.roomForIds();
      r.complete = rnd(1)[0] * 1000; r.incomplete = round; r.downloaded = rnd(2).readUInt16BE(0) * 99991;
      const n4 = round === 0 ? MAX_NUMWANT : rnd(1)[0] % 60;
      const n6 = round === 1 ? MAX_NUMWANT : rnd(1)[0] % 20;
      for (let i = 0; i < n4; i++) (round < 2 && i < edges4.length ? Buffer.from(edges4[i]) : rnd(6)).copy(r.peers4, i * 6);
      for (let i = 0; i < n6; i++) (round < 2 && i < edges6.length ? edges6[i] : rnd(18)).copy(r.peers6, i * 18);
      r.peers4Len = n4 * 6; r.peers6Len = n6 * 18;
      rnd(MAX_NUMWANT * 20).copy(r.ids4);
      rnd(MAX_NUMWANT * 20).copy(r.ids6);
      for (const noPeerId of [false, true]) {
        const interval = 1 + round * 97, minInterval = round;
        assert.deepEqual(encodeDictAnnounce(r, interval, minInterval, noPeerId), referenceDict(r, interval, minInterval, noPeerId), `round ${round}, no_peer_id ${noPeerId}`);
      }
    }
  });

  it('leaves peer ids out when the store gave none', () => {
    const r = new AnnounceResult();
    Buffer.from([10, 1, 2, 3, 0, 80]).copy(r.peers4); r.peers4Len = 6;
    assert.deepEqual((bdecode(encodeDictAnnounce(r, 60, 30, false)) as { peers: unknown[] }).peers, [{ ip: Buffer.from('10.1.2.3'), port: 80 }]);
  });

  it('keys scrape files by the raw 20-byte info_hash', () => {
    const hex = 'ff'.repeat(20);
    const d = bdecode(encodeScrape([hex], [{ complete: 1, incomplete: 2, downloaded: 3 }])) as { files: Record<string, unknown> };
    assert.deepEqual(Object.keys(d.files).map((k) => Buffer.from(k, 'latin1').toString('hex')), [hex]);
    assert.deepEqual(Object.values(d.files)[0], { complete: 1, downloaded: 3, incomplete: 2 });
  });

  it('writes scrape replies byte for byte as the bencode package does, in parts and with flags', () => {
    const rnd = bytes(5);
    const hashes = Array.from({ length: 300 }, () => rnd(20).toString('hex')).sort();
    const counts = hashes.map((_, i) => ({ complete: i * 7919, incomplete: i % 13, downloaded: i === 299 ? Number.MAX_SAFE_INTEGER : i * 3 }));
    // the package sorts Map keys as strings, not bytes: the entries are framed here, each encoded by it
    const ref = (flags: string): Buffer => Buffer.concat([Buffer.from('d5:filesd'),
      ...hashes.flatMap((h, i) => [Buffer.from(bencode.encode(Buffer.from(h, 'hex'))), Buffer.from(bencode.encode(counts[i]))]),
      Buffer.from('e'), Buffer.from(flags), Buffer.from('e')]);
    assert.deepEqual(encodeScrape(hashes, counts), ref(''));
    const parts = [encodeScrapeFiles(hashes.slice(0, 100), counts.slice(0, 100)), encodeScrapeFiles(hashes.slice(100), counts.slice(100))];
    assert.deepEqual(encodeScrapeReply(parts, 60), ref(`5:flags${Buffer.from(bencode.encode({ min_request_interval: 60 })).toString()}`));
    assert.deepEqual(encodeScrape([], []), Buffer.from('d5:filesdee'));
  });
});
