import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCursor, decodeFileCursor, encodeCursor, fileCursor, MAX_CURSOR_LENGTH } from '../../../server/services/torrent-cursor.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64url');

describe('torrent cursors', () => {
  it('reads back what it wrote, for each kind of order', () => {
    assert.deepEqual(decodeCursor(encodeCursor({ k: 42, i: 7 }), 'number'), { k: 42, i: 7 });
    assert.deepEqual(decodeCursor(encodeCursor({ k: 'Ünïcode name', i: 3 }), 'string'), { k: 'Ünïcode name', i: 3 });
    assert.deepEqual(decodeCursor(encodeCursor({ o: 0 }), null), { o: 0 });
    assert.deepEqual(decodeCursor(encodeCursor({ k: 'x'.repeat(1024), i: 1 }), 'string'), { k: 'x'.repeat(1024), i: 1 });
  });

  it('refuses garbage, numbers JSON cannot hold exactly, and cursors of another order', () => {
    const bad: [string, 'number' | 'string' | null][] = [
      ['', 'number'], ['!!!', 'number'], [b64('{'), 'number'], [b64('[1,2]'), 'number'], [b64('7'), 'number'],
      [b64('{"k":1e999,"i":1}'), 'number'], [b64('{"k":1,"i":1e999}'), 'number'], [b64('{"k":-1,"i":1}'), 'number'], [b64('{"k":0.5,"i":1}'), 'number'],
      [b64('{"k":9007199254740993,"i":1}'), 'number'], [b64('{"k":1,"i":0}'), 'number'], [b64('{"k":1,"i":-3}'), 'number'], [b64('{"k":"1","i":1}'), 'number'],
      [b64('{"k":1,"i":1}'), 'string'], [b64('{"k":{},"i":1}'), 'string'], [b64('{"k":"a","i":1,"o":1}'), 'string'],
      [b64('{"o":-1}'), null], [b64('{"o":1e999}'), null], [b64('{"o":2.5}'), null], [b64('{"k":1,"i":1}'), null], [encodeCursor({ o: 1 }), 'number'],
      ['A'.repeat(MAX_CURSOR_LENGTH + 1), 'number'],
    ];
    for (const [c, kind] of bad) assert.equal(decodeCursor(c, kind), null, `${Buffer.from(c, 'base64url').toString().slice(0, 40)} as ${kind}`);
  });

  it('takes file cursors of digits only, below 2^31', () => {
    assert.equal(decodeFileCursor(fileCursor(0)), 0);
    assert.equal(decodeFileCursor(fileCursor(19_999)), 19_999);
    for (const c of ['', '-1', '01', '1.0', '1e3', ' 1', 'Infinity', '2147483648', '99999999999']) assert.equal(decodeFileCursor(c), null, c);
  });
});
