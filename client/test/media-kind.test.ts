import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mediaKindOf } from '../src/lib/media-kind.js';

describe('media kind of a file name', () => {
  it('names audio and video by extension, in any case, with the type to ask the browser about', () => {
    assert.deepEqual(mediaKindOf('album/01 Intro.MP3'), { kind: 'audio', type: 'audio/mpeg' });
    assert.deepEqual(mediaKindOf('tone.wav'), { kind: 'audio', type: 'audio/wav' });
    assert.deepEqual(mediaKindOf('clips/film.webm'), { kind: 'video', type: 'video/webm' });
  });

  it('says null for other files, names without an extension and dots in folder names only', () => {
    assert.equal(mediaKindOf('notes.txt'), null);
    assert.equal(mediaKindOf('mp3'), null);
    assert.equal(mediaKindOf('v1.mp4/readme'), null);
  });
});
