import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerMatches } from '../../../server/http/metrics.route.js';

describe('metrics token', () => {
  it('accepts exactly `Bearer <token>` (scheme in any case)', () => {
    assert.equal(bearerMatches('Bearer abc-123', 'abc-123'), true);
    assert.equal(bearerMatches('bearer abc-123', 'abc-123'), true);
  });

  it('refuses a missing header, another scheme, a prefix or a longer token', () => {
    for (const h of [undefined, '', 'abc-123', 'Basic abc-123', 'Bearer abc-12', 'Bearer abc-1234', 'Bearer ', 'Bearer abc-123 x']) {
      assert.equal(bearerMatches(h, 'abc-123'), false, String(h));
    }
  });
});
