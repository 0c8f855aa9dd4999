// A file list packed for another thread (torrent/packed-files.ts): every path and size comes back
// unchanged, and a lazy list is made once, on its first read.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { lazyFiles, packFiles, unpackFiles } from '../../../server/torrent/packed-files.js';

it('packs and unpacks a file list without changing a path or a size', () => {
  const files = [{ path: 'a/ü\u{1F600}x', length: 2 ** 40 + 3 }, { path: '', length: 0 }, { path: 'b', length: 1 }];
  assert.deepEqual(unpackFiles(packFiles(files)), files);
  assert.deepEqual(unpackFiles(packFiles([])), []);
});

it('makes lazy files once, on first read; a spread carries them; a write replaces them', () => {
  let made = 0;
  const o = lazyFiles({ name: 'x' }, () => { made++; return [{ path: 'p', length: 1 }]; });
  assert.equal(made, 0);
  assert.deepEqual({ ...o }, { name: 'x', files: [{ path: 'p', length: 1 }] });
  assert.equal(o.files, o.files);
  assert.equal(made, 1);
  const p = lazyFiles({}, () => { made++; return [1]; });
  p.files = [2];
  assert.deepEqual(p.files, [2]);
  assert.equal(made, 1, 'a written list is never made');
});
