import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ifRangeTagHits, noneMatchHits } from '../../../server/http/conditional.js';

const etag = '"0123abcd-0"';

describe('conditional requests', () => {
  it('If-None-Match compares weakly: W/"x" and "x" both match "x"', () => {
    assert.equal(noneMatchHits(etag, etag), true);
    assert.equal(noneMatchHits(`W/${etag}`, etag), true);
    assert.equal(noneMatchHits(etag, `W/${etag}`), true);
    assert.equal(noneMatchHits(`"other", W/${etag}`, etag), true);
    assert.equal(noneMatchHits(` "a" ,\t"b",${etag} `, etag), true);
    assert.equal(noneMatchHits('*', etag), true);
  });

  it('If-None-Match does not match other tags, partial tags or a malformed list', () => {
    assert.equal(noneMatchHits(undefined, etag), false);
    assert.equal(noneMatchHits('"other"', etag), false);
    assert.equal(noneMatchHits('W/"0123abcd"', etag), false);
    assert.equal(noneMatchHits('0123abcd-0', etag), false, 'an unquoted tag is not a tag');
    assert.equal(noneMatchHits(`w/${etag}`, etag), false, 'the weak prefix is case-sensitive');
    assert.equal(noneMatchHits(`"a"${etag}`, etag), false);
    assert.equal(noneMatchHits(`"a,b", ${etag}`, etag), true, 'a comma inside a tag is part of it');
  });

  it('If-Range compares strongly: a weak tag never matches', () => {
    assert.equal(ifRangeTagHits(etag, etag), true);
    assert.equal(ifRangeTagHits(`W/${etag}`, etag), false);
    assert.equal(ifRangeTagHits('"other"', etag), false);
  });
});
