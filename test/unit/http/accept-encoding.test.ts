import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptedEncodings } from '../../../server/http/accept-encoding.js';

describe('Accept-Encoding', () => {
  it('prefers brotli, honours q=0, wildcards and x-gzip, and defaults to identity', () => {
    assert.deepEqual(acceptedEncodings('gzip, deflate, br, zstd'), ['br', 'gzip']);
    assert.deepEqual(acceptedEncodings('gzip'), ['gzip']);
    assert.deepEqual(acceptedEncodings('br;q=0, gzip;q=0.5'), ['gzip']);
    assert.deepEqual(acceptedEncodings('*'), ['br', 'gzip']);
    assert.deepEqual(acceptedEncodings('*, gzip;q=0'), ['br']);
    assert.deepEqual(acceptedEncodings('x-gzip'), ['gzip']);
    assert.deepEqual(acceptedEncodings('identity'), []);
    assert.deepEqual(acceptedEncodings(''), []);
    assert.deepEqual(acceptedEncodings(undefined), []);
    assert.deepEqual(acceptedEncodings('BR;Q=1'), ['br']);
    assert.deepEqual(acceptedEncodings('gzip;q=abc'), []);
  });
});
