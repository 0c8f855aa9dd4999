import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnnounceResult } from '../../../server/tracker/peer-store.js';
import { encodeCompactAnnounce, encodeDictAnnounce, encodeFailure, encodeScrape } from '../../../server/tracker/replies.js';
import { bdecode } from '../../helpers/bdecode.js';

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
    Buffer.from([10, 1, 2, 3, 0, 80]).copy(r.peers4); r.peers4Len = 6;
    r.ids4.push(Buffer.alloc(20, 65));
    const withIds = bdecode(encodeDictAnnounce(r, 60, 30, false)) as { peers: Record<string, unknown>[] };
    assert.deepEqual(withIds.peers, [{ ip: Buffer.from('10.1.2.3'), port: 80, 'peer id': Buffer.alloc(20, 65) }]);
    const noIds = bdecode(encodeDictAnnounce(r, 60, 30, true)) as { peers: Record<string, unknown>[] };
    assert.deepEqual(noIds.peers, [{ ip: Buffer.from('10.1.2.3'), port: 80 }]);
  });

  it('keys scrape files by the raw 20-byte info_hash', () => {
    const hex = 'ff'.repeat(20);
    const d = bdecode(encodeScrape([hex], [{ complete: 1, incomplete: 2, downloaded: 3 }])) as { files: Record<string, unknown> };
    assert.deepEqual(Object.keys(d.files).map((k) => Buffer.from(k, 'latin1').toString('hex')), [hex]);
    assert.deepEqual(Object.values(d.files)[0], { complete: 1, downloaded: 3, incomplete: 2 });
  });
});
