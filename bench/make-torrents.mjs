#!/usr/bin/env node
// Writes N small, valid single-file .torrent files bench-0.torrent .. bench-<N-1>.torrent into DIR
// (deterministic: name bench-<i>, length 1 MiB + i, piece length 256 KiB, pieces = sha1 of
// "bench-<i>-<piece>"), and DIR/expected-hashes.txt (hex sha1 of each bencoded info dict, in order).
// seedhost is a closed tracker: the pool must be registered (`seedhost register DIR/*.torrent`).
// Usage: node bench/make-torrents.mjs DIR [N=1000]
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import bencode from 'bencode';

const dir = process.argv[2];
const n = parseInt(process.argv[3] ?? '1000', 10);
if (!dir || !(n > 0)) {
  process.stderr.write('usage: make-torrents.mjs DIR [N]\n');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const sha1 = (b) => createHash('sha1').update(b).digest();
const PIECE = 256 * 1024;
const hashes = [];
for (let i = 0; i < n; i++) {
  const length = 1024 * 1024 + i;
  const pieces = Buffer.concat(Array.from({ length: Math.ceil(length / PIECE) }, (_, p) => sha1(`bench-${i}-${p}`)));
  const info = { length, name: `bench-${i}`, 'piece length': PIECE, pieces };
  hashes.push(sha1(bencode.encode(info)).toString('hex'));
  const file = { announce: 'http://127.0.0.1/announce', 'created by': 'seedhost bench', info };
  writeFileSync(path.join(dir, `bench-${i}.torrent`), bencode.encode(file));
}
writeFileSync(path.join(dir, 'expected-hashes.txt'), hashes.join('\n') + '\n');
process.stderr.write(`wrote ${n} .torrent files to ${dir}\n`);
