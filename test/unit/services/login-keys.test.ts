import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attemptKeys } from '../../../server/services/login-limiter.js';
import { addressGroup } from '../../../server/tracker/address-group.js';
import { normaliseUsername } from '../../../server/services/username.js';

describe('login keys', () => {
  it('folds the name variants MariaDB\'s utf8mb4_unicode_ci treats as one', () => {
    for (const v of ['victim', 'Victim', 'VICTIM', 'victim ', 'victim   ', 'víctim', 'ｖｉｃｔｉｍ', 'vic\u200btim', 'vi\u0301ctim']) assert.equal(normaliseUsername(v), 'victim', JSON.stringify(v));
    assert.equal(normaliseUsername('Straße'), 'strasse');
    assert.notEqual(normaliseUsername('victim2'), 'victim');
    assert.notEqual(normaliseUsername('vic-tim'), 'victim');
  });

  it('counts IPv4 addresses alone and IPv6 addresses by their /64', () => {
    assert.equal(addressGroup('192.0.2.1'), '192.0.2.1');
    assert.equal(addressGroup('2001:db8:0:1::5'), '2001:db8:0:1::/64');
    assert.equal(addressGroup('2001:0db8:0000:0001:ffff:0:0:1'), '2001:db8:0:1::/64');
    assert.equal(addressGroup('::1'), '0:0:0:0::/64');
    assert.equal(addressGroup('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.notEqual(addressGroup('2001:db8:0:2::5'), addressGroup('2001:db8:0:1::5'));
  });

  it('keys an attempt by account and address, address, and account', () => {
    assert.deepEqual(attemptKeys('id:3', '2001:db8::7'), {
      accountAddress: 'aa:id:3|2001:db8:0:0::/64', address: 'ad:2001:db8:0:0::/64', account: 'ac:id:3', known: 'kn:id:3|2001:db8:0:0::/64',
    });
  });
});
