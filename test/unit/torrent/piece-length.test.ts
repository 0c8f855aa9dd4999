import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { choosePieceLength, isValidPieceLength } from '../../../server/torrent/piece-length.js';

const KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB, TiB = 1024 * GiB;

describe('default piece length', () => {
  // total size -> piece length: 256 KiB at least (webseed clients make about one request per
  // piece), then doubled while there would be more than 2,000 pieces, up to 16 MiB
  const rule: [number | undefined, number][] = [
    [undefined, 256 * KiB], [0, 256 * KiB], [1, 256 * KiB], [20 * MiB, 256 * KiB], [500 * MiB, 256 * KiB],
    [500 * MiB + 1, 512 * KiB], [1000 * MiB, 512 * KiB], [1 * GiB, 1 * MiB], [2000 * MiB, 1 * MiB],
    [4000 * MiB, 2 * MiB], [8000 * MiB, 4 * MiB], [16000 * MiB, 8 * MiB], [16000 * MiB + 1, 16 * MiB],
    [32000 * MiB, 16 * MiB], [10 * TiB, 16 * MiB],
  ];
  for (const [size, want] of rule) {
    it(`gives ${want / KiB} KiB pieces for ${size === undefined ? 'an unknown size' : `${size} bytes`}`, () => {
      assert.equal(choosePieceLength(size), want);
    });
  }

  it('keeps 2,000 pieces or fewer until the pieces reach 16 MiB, and never goes below 256 KiB', () => {
    for (let size = 1; size < 64 * TiB; size = Math.ceil(size * 1.37)) {
      const pl = choosePieceLength(size);
      assert.ok(isValidPieceLength(pl) && pl >= 256 * KiB, `${size}: ${pl}`);
      assert.ok(Math.ceil(size / pl) <= 2000 || pl === 16 * MiB, `${size}: ${Math.ceil(size / pl)} pieces of ${pl}`);
      // the smallest such length: half of it would give more than 2,000 pieces (or drop below the floor)
      assert.ok(pl === 256 * KiB || size / (pl / 2) > 2000, `${size}: ${pl} is larger than needed`);
    }
  });
});

describe('piece lengths that may be asked for', () => {
  it('are the powers of two from 16 KiB to 16 MiB', () => {
    for (let pl = 16 * KiB; pl <= 16 * MiB; pl *= 2) assert.ok(isValidPieceLength(pl), String(pl));
    for (const bad of [0, 8 * KiB, 3000, 48 * KiB, 32 * MiB, 16 * KiB + 0.5, -16 * KiB]) assert.ok(!isValidPieceLength(bad), String(bad));
  });
});
