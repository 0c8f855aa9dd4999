import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileFolderClash } from '../../../server/torrent/path-clash.js';

describe('fileFolderClash', () => {
  it('finds a path that is both a file and a folder, whatever the order', () => {
    assert.equal(fileFolderClash(['a', 'a/b']), 'a');
    assert.equal(fileFolderClash(['x/y/z', 'b', 'x/y']), 'x/y');
    assert.equal(fileFolderClash(['a b', 'a/c', 'a.txt', 'a']), 'a');
  });

  it('takes trees where names only share a prefix', () => {
    assert.equal(fileFolderClash(['a', 'ab/c', 'a b/c', 'a.d/e', 'a-/x']), null);
    assert.equal(fileFolderClash(['dir/a', 'dir/b', 'dir2/a']), null);
    assert.equal(fileFolderClash([]), null);
  });

  it('finds a clash among many deep paths', () => {
    const deep = Array.from({ length: 200 }, () => 'a').join('/');
    const many = Array.from({ length: 2000 }, (_, i) => `${deep}/${i}`);
    assert.equal(fileFolderClash(many), null);
    assert.equal(fileFolderClash([...many, `${deep}/7/x`]), `${deep}/7`);
  });
});
