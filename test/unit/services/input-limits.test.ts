import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  descriptionProblem, MAX_DESCRIPTION_LENGTH, MAX_NAME_BYTES, MAX_SEARCH_LENGTH, nameProblem, normalizeDescription, searchProblem, torrentNameProblem,
} from '../../../server/services/input-limits.js';

describe('input limits', () => {
  it('refuses C0, DEL, C1, line separators and bidi controls in names, naming the character', () => {
    for (const [c, code] of [['\u0000', '0000'], ['\n', '000A'], ['\r', '000D'], ['\u001b', '001B'], ['\u007f', '007F'], ['\u0085', '0085'], ['\u009b', '009B'],
      ['\u2028', '2028'], ['\u202e', '202E'], ['\u2066', '2066'], ['\u2069', '2069']]) {
      assert.match(nameProblem(`a${c}b`) ?? '', new RegExp(`U\\+${code}`), code);
    }
  });

  it('takes ordinary names in any script, emoji with joiners and right-to-left marks', () => {
    for (const n of ['Ubuntu 24.04 (amd64).iso', 'Привет мир', '日本語のファイル', 'עברית', '👩‍👩‍👧 family.jpg', 'a\u200fb', 'tab-less name']) assert.equal(nameProblem(n), null, n);
  });

  it('counts a torrent name in bytes of UTF-8', () => {
    assert.equal(torrentNameProblem('x'.repeat(MAX_NAME_BYTES)), null);
    assert.match(torrentNameProblem('x'.repeat(MAX_NAME_BYTES + 1)) ?? '', /longer than 255 bytes/);
    assert.match(torrentNameProblem('é'.repeat(128)) ?? '', /longer than 255 bytes/); // 256 bytes, 128 characters
  });

  it('keeps tabs and line feeds in descriptions, turns CRLF into LF, and refuses other controls', () => {
    assert.equal(normalizeDescription('a\r\nb\r\n'), 'a\nb\n');
    assert.equal(descriptionProblem('line\n\tindented'), null);
    assert.equal(descriptionProblem('\u202eright-to-left prose is text'), null);
    for (const c of ['\r', '\u001b', '\u0000', '\u007f', '\u0090']) assert.match(descriptionProblem(`x${c}y`) ?? '', /control character/, JSON.stringify(c));
  });

  it('caps descriptions and searches by length', () => {
    assert.equal(descriptionProblem('d'.repeat(MAX_DESCRIPTION_LENGTH)), null);
    assert.match(descriptionProblem('d'.repeat(MAX_DESCRIPTION_LENGTH + 1)) ?? '', /longer than 20000/);
    // within MariaDB's TEXT (65,535 bytes) however the characters are encoded
    assert.ok(Buffer.byteLength('\uffff'.repeat(MAX_DESCRIPTION_LENGTH)) <= 65_535);
    assert.ok(Buffer.byteLength('\u{10ffff}'.repeat(MAX_DESCRIPTION_LENGTH / 2)) <= 65_535);
    assert.equal(searchProblem('s'.repeat(MAX_SEARCH_LENGTH)), null);
    assert.match(searchProblem('s'.repeat(MAX_SEARCH_LENGTH + 1)) ?? '', /longer than 100/);
  });
});
