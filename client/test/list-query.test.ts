import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listQueryString, newGoesOnTop, parseListQuery } from '../src/lib/list-query.js';

describe('list query string', () => {
  it('round-trips search, order and direction, leaving defaults out', () => {
    for (const q of [
      { search: '', orderBy: 'CREATED_AT', descending: true },
      { search: 'Фото', orderBy: 'NAME', descending: false },
      { search: 'x', orderBy: 'NAME', descending: true },
      { search: '', orderBy: 'SEEDERS', descending: false },
    ] as const) assert.deepEqual(parseListQuery(listQueryString(q)), q);
    assert.deepEqual(listQueryString({ search: '', orderBy: 'CREATED_AT', descending: true }), {});
    assert.deepEqual(listQueryString({ search: 'a b', orderBy: 'SIZE', descending: true }), { q: 'a b', sort: 'size' });
  });

  it('falls back to defaults for unknown or repeated values', () => {
    assert.deepEqual(parseListQuery({ sort: 'bogus', dir: 'sideways' }), { search: '', orderBy: 'CREATED_AT', descending: true });
    assert.deepEqual(parseListQuery({ q: ['  one ', 'two'], sort: ['name'] }), { search: 'one', orderBy: 'NAME', descending: false });
  });

  it('puts new torrents on top only of the plain newest-first list', () => {
    assert.equal(newGoesOnTop({ search: '', orderBy: 'CREATED_AT', descending: true }), true);
    assert.equal(newGoesOnTop({ search: 'a', orderBy: 'CREATED_AT', descending: true }), false);
    assert.equal(newGoesOnTop({ search: '', orderBy: 'NAME', descending: false }), false);
  });
});
