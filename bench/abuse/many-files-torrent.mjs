#!/usr/bin/env node
// Builds a multi-file v1 .torrent with many tiny files (1 byte each, piece length 16 KiB, random
// piece hashes: a registered torrent is never checked against content), bencoded by hand so a
// million entries take a second. `targetBytes` instead of `files` fills the .torrent to about
// that size. Run as a script: node many-files-torrent.mjs OUT.torrent FILES
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const PIECE = 16 * 1024;
const str = (s) => `${Buffer.byteLength(s)}:${s}`;
const entry = (i) => `d6:lengthi1e4:pathl${str(`f${String(i).padStart(7, '0')}.bin`)}ee`;

/** { file: Buffer, infoHash: hex, files: n } of a torrent named `name` with n one-byte files. */
export function manyFilesTorrent({ files, targetBytes, name = `abuse-${randomBytes(4).toString('hex')}` }) {
  let n = files;
  if (n === undefined) {
    // per file: its entry plus 20/16384 bytes of pieces; the rest is a few dozen bytes
    const per = entry(0).length + 20 / PIECE;
    n = Math.floor((targetBytes - 200) / per);
  }
  const pieces = randomBytes(Math.ceil(n / PIECE) * 20);
  const parts = [];
  for (let i = 0; i < n; i++) parts.push(entry(i));
  const head = Buffer.from(`d5:filesl${parts.join('')}e4:name${str(name)}12:piece lengthi${PIECE}e6:pieces${pieces.length}:`);
  const info = Buffer.concat([head, pieces, Buffer.from('e')]);
  const file = Buffer.concat([Buffer.from(`d8:announce${str('http://127.0.0.1/announce')}4:info`), info, Buffer.from('e')]);
  return { file, infoHash: createHash('sha1').update(info).digest('hex'), files: n, name };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, n] = process.argv.slice(2);
  const t = manyFilesTorrent({ files: Number(n), name: `abuse-files-${n}` });
  writeFileSync(out, t.file);
  process.stdout.write(`${t.infoHash}\n`);
}
