import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { friendlyError } from '../src/lib/errors.js';
import { compareBytewise, multipartFields, planUpload } from '../src/lib/upload-files.js';
import { addSample, progressView } from '../src/lib/upload-progress.js';

describe('upload progress', () => {
  it('computes percent, rate over the window and time left', () => {
    let s = addSample([], { at: 0, loaded: 0 });
    s = addSample(s, { at: 1000, loaded: 1000 });
    s = addSample(s, { at: 2000, loaded: 2000 });
    const v = progressView(s, 10_000);
    assert.equal(v.percent, 20);
    assert.equal(v.rate, 1000);
    assert.equal(v.secondsLeft, 8);
  });

  it('forgets samples older than the window but keeps two', () => {
    let s = addSample([], { at: 0, loaded: 0 });
    s = addSample(s, { at: 1000, loaded: 5000 });
    s = addSample(s, { at: 10_000, loaded: 6000 });
    assert.deepEqual(s.map((x) => x.at), [1000, 10_000]);
    s = addSample(s, { at: 11_000, loaded: 7000 });
    assert.deepEqual(s.map((x) => x.at), [10_000, 11_000]);
    assert.equal(progressView(s, 8000).rate, 1000);
  });

  it('has no rate or time left before two samples, and nothing left at the end', () => {
    const first = progressView([{ at: 5, loaded: 0 }], 100);
    assert.ok(Number.isNaN(first.rate));
    assert.ok(Number.isNaN(first.secondsLeft));
    const done = progressView([{ at: 0, loaded: 0 }, { at: 10, loaded: 150 }], 100);
    assert.equal(done.percent, 100);
    assert.equal(done.loaded, 100);
    assert.equal(done.secondsLeft, 0);
    assert.equal(progressView([], 0).percent, 0);
  });
});

describe('upload plan', () => {
  const f = (path: string, size = 1) => ({ path, size, file: path });

  it('sorts paths byte-wise (UTF-8), not by UTF-16 or locale', () => {
    assert.ok(compareBytewise('B', 'a') < 0);
    assert.ok(compareBytewise('a/b', 'a.b') > 0); // '/' (0x2f) sorts after '.' (0x2e)
    assert.ok(compareBytewise('\u{1F600}', '\uFFFF') > 0); // UTF-16 order would say the opposite
    assert.ok(compareBytewise('ab', 'abc') < 0);
  });

  it('turns a folder shared by every file into the name and strips it from the paths', () => {
    const p = planUpload([f('album/b.txt', 2), f('album/docs/a.txt', 3), f('album/a.txt', 4)], '');
    assert.equal(p.name, 'album');
    assert.deepEqual(p.files.map((x) => x.path), ['a.txt', 'b.txt', 'docs/a.txt']);
    assert.equal(p.totalSize, 9);
    assert.equal(planUpload([f('album/a'), f('album/b')], '  My album ').name, 'My album');
  });

  it('keeps loose files as they are and needs a name for them', () => {
    const p = planUpload([f('b.txt'), f('a.txt')], '');
    assert.equal(p.name, '');
    assert.deepEqual(p.files.map((x) => x.path), ['a.txt', 'b.txt']);
  });

  it('names a single file after itself and drops duplicate paths', () => {
    assert.equal(planUpload([f('dir/one.iso')], '').name, 'one.iso');
    assert.deepEqual(planUpload([f('dir/one.iso')], '').files.map((x) => x.path), ['one.iso']);
    assert.equal(planUpload([f('x/a', 1), f('./x/a', 5), f('x/b', 1)], '').totalSize, 6);
  });

  it('builds the multipart operations and map of the GraphQL multipart request spec', () => {
    const { operations, map } = multipartFields('mutation M { x }', { name: 'n', totalSize: 3 }, 2);
    assert.deepEqual(JSON.parse(operations), { query: 'mutation M { x }', variables: { name: 'n', totalSize: 3, files: [null, null] } });
    assert.deepEqual(JSON.parse(map), { 0: ['variables.files.0'], 1: ['variables.files.1'] });
  });
});

describe('friendly errors', () => {
  it('maps error codes to sentences people understand', () => {
    assert.equal(friendlyError({ message: 'sign in first', extensions: { code: 'UNAUTHENTICATED' } }), 'Please sign in to do that.');
    assert.equal(friendlyError({ message: 'x', extensions: { code: 'FORBIDDEN' } }), 'Your account is not allowed to do that.');
    assert.equal(friendlyError({ message: 'x', extensions: { code: 'PAYLOAD_TOO_LARGE' } }), 'That is larger than this server accepts.');
    assert.equal(friendlyError({ message: 'name is too long', extensions: { code: 'BAD_USER_INPUT' } }), 'Please check what you entered: name is too long.');
    assert.equal(friendlyError({ message: 'try again in 3 s', extensions: { code: 'RATE_LIMITED' } }), 'Too many attempts: try again in 3 s.');
    assert.match(friendlyError({ message: 'torrent abc is already registered', extensions: { code: 'CONFLICT' } }), /^That already exists: torrent abc/);
    assert.match(friendlyError({ message: 'x', extensions: { code: 'NOT_FOUND' } }), /no longer exists/);
    assert.equal(friendlyError({ message: 'SQLITE_ERROR at ...', extensions: { code: 'INTERNAL_SERVER_ERROR' } }), 'Something went wrong on the server. Please try again.');
    assert.match(friendlyError(null, true), /Cannot reach the server/);
  });
});
