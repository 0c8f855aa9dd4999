import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../server/config.js';

describe('HTTP_ACCEPT', () => {
  it('is native by default, node on request (any case), and anything else stops the start naming it', () => {
    assert.equal(loadConfig({}).httpAccept, 'native');
    assert.equal(loadConfig({ HTTP_ACCEPT: 'Node' }).httpAccept, 'node');
    assert.equal(loadConfig({ HTTP_ACCEPT: ' native ' }).httpAccept, 'native');
    assert.throws(() => loadConfig({ HTTP_ACCEPT: 'epoll' }), (e: unknown) => e instanceof ConfigError && /HTTP_ACCEPT/.test(e.message) && /native or node/.test(e.message));
  });
});
