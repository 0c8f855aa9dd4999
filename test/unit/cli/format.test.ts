import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeForTerminal } from '../../../server/cli/format.js';

describe('escapeForTerminal', () => {
  it('shows control and direction characters as visible escapes', () => {
    assert.equal(escapeForTerminal('a\u001b[2Jb\rc\nd\te\u0007f\u009bg\u202eh\u2028i'), 'a\\x1b[2Jb\\rc\\nd\\te\\x07f\\x9bg\\u202eh\\u2028i');
  });

  it('doubles backslashes so an escape cannot be faked, and leaves other text alone', () => {
    assert.equal(escapeForTerminal('C:\\x1b'), 'C:\\\\x1b');
    assert.equal(escapeForTerminal('Привет 👩‍👩‍👧 日本語.iso'), 'Привет 👩‍👩‍👧 日本語.iso');
  });

  it('never lets a raw control character through', () => {
    let all = '';
    for (let c = 0; c < 0x250; c++) all += String.fromCharCode(c);
    assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(escapeForTerminal(all)));
  });
});
