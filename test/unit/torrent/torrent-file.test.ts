import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { findTopLevelValue } from '../../../server/torrent/bencode-span.js';
import { encodeInfo } from '../../../server/torrent/info-dict.js';
import { encodeTorrentFile } from '../../../server/torrent/torrent-file.js';
import { announceTiers, trackerList, wsAnnounceOf } from '../../../server/torrent/trackers.js';
import { bdecode } from '../../helpers/bdecode.js';

describe('torrent file trackers', () => {
  const info = encodeInfo({ name: 'a.bin', pieceLength: 16384, pieces: Buffer.alloc(20, 1), files: [{ path: 'a.bin', length: 5 }], multiFile: false });

  it('lists the UDP tracker, HTTP, then the WebSocket tracker in announce-list, keeps announce HTTP and the info dict byte for byte', () => {
    const trackers = trackerList('http://t/announce', 'udp://t:6969/announce');
    const file = encodeTorrentFile({ infoBytes: info.bytes, announce: 'http://t/announce', announceList: announceTiers(trackers), urlList: [], creationDate: 1 });
    const d = bdecode(file) as Record<string, unknown>;
    assert.equal(String(d.announce), 'http://t/announce');
    assert.deepEqual((d['announce-list'] as Buffer[][]).map((tier) => tier.map(String)), [['udp://t:6969/announce'], ['http://t/announce'], ['ws://t/announce']]);
    const span = findTopLevelValue(file, 'info') as [number, number];
    assert.equal(createHash('sha1').update(file.subarray(span[0], span[1])).digest('hex'), info.infoHash);
  });

  it('lists HTTP then WebSocket without UDP; https gives wss; no announce-list for one tracker', () => {
    assert.deepEqual(announceTiers(trackerList('http://t/announce', undefined)), [['http://t/announce'], ['ws://t/announce']]);
    assert.deepEqual(trackerList('https://t.example/x/announce', undefined), ['https://t.example/x/announce', 'wss://t.example/x/announce']);
    assert.equal(wsAnnounceOf('HTTPS://t/announce'), 'wss://t/announce');
    assert.equal(announceTiers(['http://t/announce']), undefined);
    const file = encodeTorrentFile({ infoBytes: info.bytes, announce: 'http://t/announce', urlList: [], creationDate: 1 });
    assert.equal((bdecode(file) as Record<string, unknown>)['announce-list'], undefined);
  });
});
