#!/usr/bin/env node
// Correctness of a publish: the info_hash and `pieces` of .torrent files, compared with each other.
//   node bench/torrent-check.cjs EXPECT_HASH A.torrent [B.torrent ...] [sqlite:DB.db]
// (EXPECT_HASH '-': the first .torrent's info_hash; the last line of output is then `CHECK ok <hash>`.)
// For every .torrent (and, given a sqlite: database, seedhost's stored `torrents.metainfo` row with
// info_hash EXPECT_HASH), prints the SHA-1 of the bencoded `info` value (its exact byte span, not
// a re-encoding), name, piece length and piece count; exits 1 unless every info_hash equals
// EXPECT_HASH and every `pieces` string is byte-identical to the first one.
'use strict';
const fs = require('fs');
const crypto = require('crypto');

// minimal bencode walker: end offset of the value starting at i
function skip(b, i) {
  const c = b[i];
  if (c === 0x69) return b.indexOf(0x65, i) + 1;                         // i...e
  if (c === 0x6c || c === 0x64) { i++; while (b[i] !== 0x65) i = skip(b, i); return i + 1; } // l...e d...e
  const colon = b.indexOf(0x3a, i);                                      // <len>:<bytes>
  return colon + 1 + parseInt(b.toString('latin1', i, colon), 10);
}
function str(b, i) { const colon = b.indexOf(0x3a, i); const n = parseInt(b.toString('latin1', i, colon), 10); return b.subarray(colon + 1, colon + 1 + n); }
function dict(b, i) { // {key: [start, end]} of a dict starting at i
  if (b[i] !== 0x64) throw new Error('not a dict');
  const out = {}; i++;
  while (b[i] !== 0x65) { const k = str(b, i).toString('latin1'); i = skip(b, i); const e = skip(b, i); out[k] = [i, e]; i = e; }
  return out;
}
function describe(buf, label) {
  const top = dict(buf, 0);
  if (!top.info) throw new Error(`${label}: no info dict`);
  const [s, e] = top.info;
  const info = buf.subarray(s, e);
  const d = dict(info, 0);
  const pieces = str(info, d.pieces[0]);
  const pl = parseInt(info.toString('latin1', d['piece length'][0] + 1, d['piece length'][1] - 1), 10);
  return { label, hash: crypto.createHash('sha1').update(info).digest('hex'), name: str(info, d.name[0]).toString('utf8'), pl, pieces, keys: Object.keys(d).join(',') };
}

let [expect, ...srcs] = process.argv.slice(2);
const got = [];
for (const s of srcs) {
  if (s.startsWith('sqlite:')) {
    const Database = require('better-sqlite3');
    const db = new Database(s.slice(7), { readonly: true, fileMustExist: true });
    if (expect === '-') throw new Error('give the expected info_hash with a database');
    const row = db.prepare('SELECT metainfo FROM torrents WHERE info_hash = ?').get(expect);
    db.close();
    if (!row) { console.log(`  ${s}: no torrents row with info_hash ${expect}`); process.exit(1); }
    got.push(describe(Buffer.from(row.metainfo), `seedhost db torrents.metainfo`));
  } else got.push(describe(fs.readFileSync(s), s.replace(/^.*\//, '')));
}
if (expect === '-') expect = got[0].hash;
let ok = true;
for (const g of got) {
  const same = g.pieces.equals(got[0].pieces);
  ok = ok && g.hash === expect && same;
  console.log(`  ${g.label.padEnd(32)} info_hash ${g.hash} ${g.hash === expect ? '==' : '!='} expected; name ${g.name}, piece length ${g.pl}, ${g.pieces.length / 20} pieces${same ? '' : ' (pieces DIFFER from the first)'}; info keys ${g.keys}`);
}
console.log(ok ? `CHECK ok ${expect} (same info_hash, byte-identical pieces)` : 'CHECK FAILED');
process.exit(ok ? 0 : 1);
