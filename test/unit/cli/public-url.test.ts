import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publicUrlOfMetainfo } from '../../../server/cli/public-url.js';
import { encodeTorrentFile } from '../../../server/torrent/torrent-file.js';

const torrent = (announce: string): Buffer => encodeTorrentFile({
  infoBytes: Buffer.from('d6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaae'), announce, urlList: [], creationDate: 1,
});

describe('the PUBLIC_URL a torrent was written with', () => {
  it('is its announce URL without /announce', () => {
    assert.equal(publicUrlOfMetainfo(torrent('http://localhost:8080/announce')), 'http://localhost:8080');
    assert.equal(publicUrlOfMetainfo(torrent('https://seed.example/base/announce')), 'https://seed.example/base');
    assert.equal(publicUrlOfMetainfo(torrent('https://séed.example/announce')), 'https://séed.example');
  });

  it('is unknown for an announce URL that is not one of ours', () => {
    assert.equal(publicUrlOfMetainfo(torrent('udp://tracker.example:1337')), undefined);
    assert.equal(publicUrlOfMetainfo(Buffer.from('d4:infod6:lengthi1eee')), undefined);
  });
});
