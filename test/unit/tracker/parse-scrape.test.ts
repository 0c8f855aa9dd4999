import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientError } from '../../../server/tracker/errors.js';
import { MAX_SCRAPE_HASHES, parseScrape } from '../../../server/tracker/parse-scrape.js';
import { escapeBytes } from '../../helpers/tracker-client.js';

const h = (i: number): Buffer => Buffer.alloc(20, i);

describe('parseScrape', () => {
  it('reads one or many info_hashes in order, without duplicates', () => {
    const q = [h(1), h(2), h(1), h(3)].map((b) => `info_hash=${escapeBytes(b)}`).join('&');
    assert.deepEqual(parseScrape(q), [h(1), h(2), h(3)].map((b) => b.toString('hex')));
  });

  it('treats no info_hash as a full scrape', () => {
    assert.deepEqual(parseScrape(''), []);
    assert.deepEqual(parseScrape('passkey=abc'), []);
  });

  it('refuses a malformed info_hash', () => {
    assert.throws(() => parseScrape(`info_hash=${escapeBytes(h(1).subarray(0, 19))}`), (e: unknown) => e instanceof ClientError && /20 bytes, got 19/.test(e.message));
    assert.throws(() => parseScrape('info_hash=%X1'), ClientError);
  });

  it('refuses more info_hashes than it answers at once', () => {
    const q = Array.from({ length: MAX_SCRAPE_HASHES + 1 }, (_, i) => `info_hash=${escapeBytes(Buffer.alloc(20, i))}`).join('&');
    assert.throws(() => parseScrape(q), (e: unknown) => e instanceof ClientError && /too many|too long/.test(e.message));
  });
});
