// parseTorrent against the reference, libtorrent 2.0 (python3-libtorrent): each crafted file is
// loaded by both. What libtorrent refuses, seedhost refuses; what libtorrent accepts, seedhost reads
// the same way (info_hash, name, files, size, private flag), except the few files seedhost refuses
// on purpose, each with its reason. Verdicts come from libtorrent at run time, not from this file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseTorrent, TorrentError } from '../../../server/torrent/parse-torrent.js';
import { libtorrentPython, needs } from '../../helpers/environment.js';

const b = (...parts: (string | Buffer)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
const s = (v: string | Buffer): Buffer => { const x = typeof v === 'string' ? Buffer.from(v) : v; return b(`${x.length}:`, x); };
const i = (n: number | string): Buffer => b(`i${n}e`);
const l = (...items: Buffer[]): Buffer => b('l', ...items, 'e');
/** A dict with its pairs in the order given (so unsorted and duplicate keys can be written). */
const d = (...pairs: [string, Buffer][]): Buffer => b('d', ...pairs.flatMap(([k, v]) => [s(k), v]), 'e');

const HASH = createHash('sha1').update('x').digest();
const length: [string, Buffer] = ['length', i(10)];
const name: [string, Buffer] = ['name', s('file.bin')];
const plen: [string, Buffer] = ['piece length', i(16384)];
const pieces: [string, Buffer] = ['pieces', s(HASH)];
const single = (...pairs: [string, Buffer][]): Buffer => d(length, name, plen, pieces, ...pairs);
const file = (len: number, ...p: string[]): Buffer => d(['length', i(len)], ['path', l(...p.map(s))]);
const multi = (files: Buffer, ...pairs: [string, Buffer][]): Buffer => d(['files', files], ['name', s('dir')], plen, pieces, ...pairs);
const torrent = (info: Buffer, ...extra: [string, Buffer][]): Buffer => d(['announce', s('http://t/announce')], ...extra, ['info', info]);
const nested = (n: number): Buffer => b('l'.repeat(n), 'e'.repeat(n));

interface Case { what: string; file: Buffer; refusal?: RegExp; stricter?: string }
const CASES: Case[] = [
  { what: 'a single-file torrent', file: torrent(single()) },
  { what: 'a multi-file torrent', file: torrent(multi(l(file(5, 'a'), file(5, 'b')))) },
  { what: 'info keys out of order', file: torrent(d(name, length, plen, pieces)), refusal: /not canonical bencode/, stricter: 'Transmission and aria2 re-encode the info dict sorted, so they would announce another info_hash' },
  { what: 'top-level keys out of order', file: d(['info', single()], ['announce', s('http://t/announce')]) },
  { what: 'a file entry with keys out of order', file: torrent(multi(l(d(['path', l(s('a'))], ['length', i(5)]), file(5, 'b')))), refusal: /not canonical bencode/, stricter: 'Transmission and aria2 re-encode the info dict sorted, so they would announce another info_hash' },
  { what: 'two names', file: torrent(d(length, name, ['name', s('other.bin')], plen, pieces)), refusal: /not canonical bencode/, stricter: 'Transmission and aria2 re-encode the info dict sorted, so they would announce another info_hash' },
  { what: 'two names, the second after pieces', file: torrent(single(['name', s('other.bin')])), refusal: /not canonical bencode/, stricter: 'Transmission and aria2 re-encode the info dict sorted, so they would announce another info_hash' },
  { what: 'two names, the second an integer', file: torrent(d(length, name, ['name', i(3)], plen, pieces)), refusal: /not canonical bencode/, stricter: 'Transmission and aria2 re-encode the info dict sorted, so they would announce another info_hash' },
  { what: 'two names, the second unsafe', file: torrent(d(length, name, ['name', s('../x')], plen, pieces)), refusal: /not canonical bencode/, stricter: 'Transmission and aria2 re-encode the info dict sorted, so they would announce another info_hash' },
  { what: 'two lengths', file: torrent(d(length, ['length', i(99_999)], name, plen, pieces)), refusal: /not canonical bencode/, stricter: 'Transmission and aria2 re-encode the info dict sorted, so they would announce another info_hash' },
  { what: 'two pieces', file: torrent(single(['pieces', s(Buffer.concat([HASH, HASH]))])), refusal: /not canonical bencode/, stricter: 'Transmission and aria2 re-encode the info dict sorted, so they would announce another info_hash' },
  { what: 'two file lists', file: torrent(d(['files', l(file(10, 'a'))], ['files', l(file(10, 'b'))], ['name', s('dir')], plen, pieces)), refusal: /not canonical bencode/, stricter: 'Transmission and aria2 re-encode the info dict sorted, so they would announce another info_hash' },
  { what: 'a file entry with two lengths', file: torrent(multi(l(d(['length', i(5)], ['length', i(7)], ['path', l(s('a'))]), file(5, 'b')))), refusal: /not canonical bencode/, stricter: 'Transmission and aria2 re-encode the info dict sorted, so they would announce another info_hash' },
  { what: 'two info dicts', file: d(['announce', s('u')], ['info', single()], ['info', d(length, ['name', s('x.bin')], plen, pieces)]), refusal: /two info dictionaries/, stricter: 'Transmission and aria2 do not hash the first one' },
  { what: 'two announces', file: d(['announce', s('http://t/announce')], ['announce', s('http://u/announce')], ['info', single()]) },
  { what: 'a duplicate key in an unrelated dict', file: torrent(single(), ['x', d(['a', i(1)], ['a', i(2)])]) },
  { what: 'a __proto__ string beside valid keys', file: torrent(d(['__proto__', s('x')], length, name, plen, pieces)) },
  { what: 'a __proto__ dict holding private=1 (not a private torrent)', file: torrent(d(['__proto__', d(['private', i(1)])], length, name, plen, pieces)) },
  { what: 'a __proto__ dict at the top level', file: d(['__proto__', d(['x', i(1)])], ['announce', s('u')], ['info', single()]) },
  { what: 'name.utf-8 beside name', file: torrent(d(length, name, ['name.utf-8', s('utf8.bin')], plen, pieces)) },
  { what: 'name.utf-8 that is not a string', file: torrent(d(length, name, ['name.utf-8', i(3)], plen, pieces)) },
  { what: 'path.utf-8 beside path', file: torrent(multi(l(d(['length', i(10)], ['path', l(s('a'))], ['path.utf-8', l(s('b'))])))) },
  { what: 'path.utf-8 that is not a list', file: torrent(multi(l(d(['length', i(10)], ['path', l(s('a'))], ['path.utf-8', s('b')])))) },
  { what: 'an empty key', file: torrent(d(['', i(1)], length, name, plen, pieces)) },
  { what: 'private=2', file: torrent(single(['private', i(2)])) },
  { what: 'private as a string', file: torrent(single(['private', s('1')])) },
  { what: 'piece length 2^30 - 1', file: torrent(d(length, name, ['piece length', i(2 ** 30 - 1)], pieces)) },
  { what: 'a piece length that is not a power of two', file: torrent(d(length, name, ['piece length', i(16385)], pieces)) },
  { what: '98 nested lists', file: torrent(single(), ['x', nested(98)]) },
  { what: 'integers past 2^53 and 2^63 outside info', file: torrent(single(), ['x', l(i('9007199254740993'), i('9223372036854775808'))]) },

  { what: 'an info dict whose only key is __proto__', file: torrent(d(['__proto__', single()])), refusal: /info\.name must be a non-empty string/ },
  { what: 'a file entry whose only key is __proto__', file: torrent(multi(l(d(['__proto__', file(5, 'a')]), file(5, 'b')))), refusal: /info\.files\[0\]\.length/ },
  { what: 'no name', file: torrent(d(length, plen, pieces)), refusal: /info\.name must be a non-empty string/ },
  { what: 'an empty name', file: torrent(d(length, ['name', s('')], plen, pieces)), refusal: /info\.name/ },
  { what: 'a name that is an integer', file: torrent(d(length, ['name', i(3)], plen, pieces)), refusal: /info\.name/ },
  { what: 'two names, the first empty', file: torrent(d(length, ['name', s('')], ['name', s('b.bin')], plen, pieces)), refusal: /not canonical bencode/ },
  { what: 'two names, the first an integer', file: torrent(d(length, ['name', i(3)], name, plen, pieces)), refusal: /not canonical bencode/ },
  { what: 'an empty name.utf-8', file: torrent(d(length, name, ['name.utf-8', s('')], plen, pieces)), refusal: /info\.name/ },
  { what: 'no piece length', file: torrent(d(length, name, pieces)), refusal: /info\.piece length/ },
  { what: 'piece length 0', file: torrent(d(length, name, ['piece length', i(0)], pieces)), refusal: /info\.piece length/ },
  { what: 'a negative piece length', file: torrent(d(length, name, ['piece length', i(-16384)], pieces)), refusal: /info\.piece length/ },
  { what: 'piece length 2^30', file: torrent(d(length, name, ['piece length', i(2 ** 30)], pieces)), refusal: /info\.piece length must be an integer from 1 to 1073741823/ },
  { what: 'a piece length that is a string', file: torrent(d(length, name, ['piece length', s('16384')], pieces)), refusal: /info\.piece length/ },
  { what: 'no pieces', file: torrent(d(length, name, plen)), refusal: /info\.pieces is missing/ },
  { what: 'pieces that are an integer', file: torrent(d(length, name, plen, ['pieces', i(1)])), refusal: /info\.pieces/ },
  { what: 'pieces of 19 bytes', file: torrent(d(length, name, plen, ['pieces', s(HASH.subarray(0, 19))])), refusal: /multiple of 20/ },
  { what: 'more piece hashes than the size needs', file: torrent(d(length, name, plen, ['pieces', s(Buffer.concat([HASH, HASH]))])), refusal: /has 2 hashes but the size needs 1/ },
  { what: 'neither length nor files', file: torrent(d(name, plen, pieces)), refusal: /neither length \(one file\) nor files/ },
  { what: 'a negative length', file: torrent(d(['length', i(-1)], name, plen, pieces)), refusal: /info\.length/ },
  { what: 'a length of 0', file: torrent(d(['length', i(0)], name, plen, ['pieces', s('')])), refusal: /no content/ },
  { what: 'a length that is a string', file: torrent(d(['length', s('10')], name, plen, pieces)), refusal: /info\.length/ },
  { what: 'a length past 2^64', file: torrent(d(['length', i('99999999999999999999')], name, plen, pieces)), refusal: /info\.length/ },
  { what: 'an empty file list', file: torrent(multi(l())), refusal: /info\.files must be a non-empty list/ },
  { what: 'files that are a string', file: torrent(multi(s('x'))), refusal: /info\.files must be a non-empty list/ },
  { what: 'a file of negative length', file: torrent(multi(l(file(-1, 'a'), file(11, 'b')))), refusal: /info\.files\[0\]\.length/ },
  { what: 'a file entry that is a string', file: torrent(multi(l(s('x'), file(10, 'b')))), refusal: /info\.files\[0\] must be a dictionary/ },
  { what: 'an empty file path', file: torrent(multi(l(d(['length', i(10)], ['path', l()])))), refusal: /path must be a non-empty list/ },
  { what: 'an empty path.utf-8 beside a path', file: torrent(multi(l(d(['length', i(10)], ['path', l(s('a'))], ['path.utf-8', l()])))), refusal: /path must be a non-empty list/ },
  { what: 'an info that is a list', file: torrent(l(s('x'))), refusal: /info is not a dictionary/ },
  { what: 'no info', file: d(['announce', s('u')]), refusal: /no info dictionary/ },
  { what: 'an integer without digits', file: torrent(single(), ['x', b('ie')]), refusal: /bad integer/ },
  { what: 'an integer with a plus sign', file: torrent(single(), ['x', i('+3')]), refusal: /bad integer/ },
  { what: 'a dict key that is not a string', file: b('d1:ai1ei1ei1e4:info', single(), 'e'), refusal: /dictionary key is not a string/ },
  { what: 'a string length past the data', file: torrent(single(), ['x', b('99999999999999999999:x')]), refusal: /string longer than the data/ },
  { what: 'an unterminated info dict', file: b('d4:info', single().subarray(0, -1)), refusal: /unexpected end of data/ },
  { what: '99 nested lists', file: torrent(single(), ['x', nested(99)]), refusal: /nesting too deep/ },

  { what: 'an integer with a leading zero', file: torrent(single(), ['x', i('03')]), refusal: /bad integer/, stricter: 'not bencode (BEP 3); Transmission refuses it too' },
  { what: 'i-0e', file: torrent(single(), ['x', i('-0')]), refusal: /bad integer/, stricter: 'not bencode (BEP 3: i-0e is invalid)' },
  { what: 'a string length with a leading zero', file: torrent(single(), ['x', b('03:abc')]), refusal: /bad string length/, stricter: 'not canonical bencode: a decode and re-encode changes the bytes' },
  { what: 'data after the dict', file: b(torrent(single()), 'x'), refusal: /trailing data/, stricter: 'a .torrent is one bencoded value (BEP 3)' },
  { what: 'both length and files', file: torrent(d(['files', l(file(10, 'a'))], length, name, plen, pieces)), refusal: /both length and files/, stricter: 'which of the two is the content is ambiguous' },
  { what: 'a name of ..', file: torrent(d(length, ['name', s('..')], plen, pieces)), refusal: /unsafe path component/, stricter: 'libtorrent rewrites unsafe names; seedhost shows and serves paths as given' },
];

interface Reference { ok: boolean; error?: string; hash?: string; name?: string; files?: string[]; size?: number; priv?: boolean }
const LOAD = `import json, sys, libtorrent as lt
for p in sys.argv[1:]:
    try:
        t = lt.torrent_info(open(p, 'rb').read())
        fs = t.files()
        print(json.dumps({'ok': True, 'hash': str(t.info_hashes().v1), 'name': t.name(), 'size': t.total_size(), 'priv': t.priv(),
            'files': [fs.file_path(i).replace('\\\\', '/') for i in range(t.num_files())]}))
    except Exception as e:
        print(json.dumps({'ok': False, 'error': str(e)}))`;

const python = libtorrentPython();
describe('parseTorrent against libtorrent', { skip: needs(python !== null, 'python3-libtorrent (apt-get install python3-libtorrent)') }, () => {
  let dir = '';
  let reference: Reference[] = [];
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'seedhost-ref-'));
    const paths = CASES.map((c, n) => { const p = path.join(dir, `${n}.torrent`); writeFileSync(p, c.file); return p; });
    reference = execFileSync(python as string, ['-c', LOAD, ...paths], { encoding: 'utf8' }).trim().split('\n').map((line) => JSON.parse(line) as Reference);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  CASES.forEach((c, n) => {
    it(`${c.refusal ? 'refuses' : 'reads'} ${c.what}${c.stricter ? ` (libtorrent loads it: ${c.stricter})` : ''}`, () => {
      const ref = reference[n];
      let meta: ReturnType<typeof parseTorrent> | undefined;
      let refusal: Error | undefined;
      try { meta = parseTorrent(c.file); } catch (e) { refusal = e as Error; }
      if (!ref.ok) assert.ok(refusal instanceof TorrentError, `libtorrent refuses it (${ref.error}); seedhost ${refusal ? `threw ${refusal}` : 'accepted it'}`);
      if (c.refusal) {
        assert.ok(refusal instanceof TorrentError && c.refusal.test(refusal.message), `expected a refusal like ${c.refusal}, got ${refusal ?? 'none'}`);
        if (ref.ok) assert.ok(c.stricter, 'libtorrent loads it, so seedhost refuses it only with a reason (stricter)');
        return;
      }
      assert.ok(ref.ok, `this case is listed as valid, but libtorrent refuses it: ${ref.error}`);
      assert.ok(meta, `libtorrent loads it; seedhost refused it: ${refusal}`);
      const files = meta.multiFile ? meta.files.map((f) => `${meta.name}/${f.path}`) : [meta.name];
      assert.deepEqual({ hash: meta.infoHash, name: meta.name, files, size: meta.totalSize, priv: meta.private },
        { hash: ref.hash, name: ref.name, files: ref.files, size: ref.size, priv: ref.priv });
    });
  });
});
