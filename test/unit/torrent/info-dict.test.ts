import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import bencode from 'bencode';
import { encodeInfo } from '../../../server/torrent/info-dict.js';

/** The info dict as bencode.encode writes it (sorted keys): what encodeInfo must equal byte for byte. */
const reference = (name: string, pieceLength: number, pieces: Buffer, files: { path: string; length: number }[], multiFile: boolean): Buffer => {
  const info: Record<string, unknown> = { name, 'piece length': pieceLength, pieces };
  if (multiFile) info.files = files.map((f) => ({ length: f.length, path: f.path.split('/') }));
  else info.length = files[0].length;
  return Buffer.from(bencode.encode(info));
};

describe('encodeInfo', () => {
  it('writes the bytes bencode.encode writes, for single and multi-file torrents with any names', () => {
    const cases: [string, { path: string; length: number }[], boolean][] = [
      ['a.bin', [{ path: 'a.bin', length: 3 }], false],
      ['日本語 ünï', [{ path: 'x/y/z.txt', length: 0 }, { path: 'Привет/👩‍👩‍👧.jpg', length: 2 ** 40 + 7 }, { path: 'b', length: 1 }], true],
      ['many', Array.from({ length: 500 }, (_, i) => ({ path: `d${i % 7}/f${i}`, length: i * 1000 })), true],
    ];
    for (const [name, files, multi] of cases) {
      const pieces = randomBytes(20 * 9);
      assert.ok(encodeInfo({ name, pieceLength: 262144, pieces, files, multiFile: multi }).bytes.equals(reference(name, 262144, pieces, files, multi)), name);
    }
  });
});
