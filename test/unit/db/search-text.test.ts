import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldForSearch, MAX_SEARCH_TEXT_LENGTH, renamedSearchText, searchPattern, searchText } from '../../../server/db/search-text.js';

describe('search text', () => {
  it('folds capitals of any script, compatibility forms, ß, final sigma and dotted I', () => {
    assert.equal(foldForSearch('Фотографии'), 'фотографии');
    assert.equal(foldForSearch('ΟΔΟΣ'), foldForSearch('οδος'));
    assert.equal(foldForSearch('Straße'), foldForSearch('STRASSE'));
    assert.equal(foldForSearch('ﬁle'), 'file');
    assert.equal(foldForSearch('Ｆｕｌｌ'), 'full');
    assert.equal(foldForSearch('İstanbul'), 'istanbul');
    assert.equal(foldForSearch('Café'), foldForSearch('Cafe\u0301')); // composed and decomposed é
  });

  it('holds the name, then the paths one per line, cut at MAX_SEARCH_TEXT_LENGTH', () => {
    assert.equal(searchText('Album', ['Docs/A.txt', 'b.TXT']), 'album\ndocs/a.txt\nb.txt');
    const many = searchText('x', Array.from({ length: 50_000 }, (_, i) => `file-${i}.bin`));
    assert.equal(many.length, MAX_SEARCH_TEXT_LENGTH);
    const emoji = searchText('e', ['😀'.repeat(MAX_SEARCH_TEXT_LENGTH)]);
    assert.ok(emoji.length <= MAX_SEARCH_TEXT_LENGTH);
    assert.doesNotThrow(() => encodeURIComponent(emoji), 'no half surrogate pair at the cut');
  });

  it('renames without reading the paths again', () => {
    assert.equal(renamedSearchText(searchText('Old', ['a/B.txt']), 'Новое'), 'новое\na/b.txt');
    assert.equal(renamedSearchText('old', 'New'), 'new');
  });

  it('takes % _ and ! literally in patterns', () => {
    assert.equal(searchPattern('100%_Ф!'), '%100!%!_ф!!%');
  });
});
