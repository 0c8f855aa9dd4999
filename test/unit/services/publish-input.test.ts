import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asPublishError, checkedDescription, PublishError, safeRelativePath } from '../../../server/services/publish-input.js';

const badInput = (f: () => unknown, msg: RegExp): void => assert.throws(f, (e: unknown) => e instanceof PublishError && e.code === 'BAD_INPUT' && msg.test(e.message));

describe('safeRelativePath', () => {
  it('refuses control characters in any component, quoting the path escaped', () => {
    badInput(() => safeRelativePath('docs/a\rb.txt'), /path "docs\/a\\rb.txt" contains a control or direction character \(U\+000D\)/);
    badInput(() => safeRelativePath('a\nb'), /U\+000A/);
    badInput(() => safeRelativePath('nul\0'), /U\+0000/);
  });

  it('caps components at 255 bytes and paths at 4,095', () => {
    assert.equal(safeRelativePath(`${'é'.repeat(127)}x/b`), `${'é'.repeat(127)}x/b`);
    badInput(() => safeRelativePath(`${'é'.repeat(128)}/b`), /longer than 255 bytes/);
    badInput(() => safeRelativePath(Array.from({ length: 17 }, () => 'p'.repeat(240)).join('/')), /longer than 4095 bytes/);
    badInput(() => safeRelativePath('x'.repeat(256), 'name', true), /name "x{100}\.\.\.": a file or folder name is longer than 255 bytes/);
  });
});

describe('publish input', () => {
  it('normalises and checks descriptions', () => {
    assert.equal(checkedDescription('a\r\nb'), 'a\nb');
    assert.equal(checkedDescription(null), null);
    badInput(() => checkedDescription('x\u001by'), /U\+001B/);
  });

  it('reports a path the file system finds too long as bad input, not as an internal error', () => {
    const e = asPublishError(Object.assign(new Error('ENAMETOOLONG: name too long, open /data/tmp/...'), { code: 'ENAMETOOLONG' }));
    assert.ok(e instanceof PublishError && e.code === 'BAD_INPUT' && !/\/data/.test(e.message));
  });
});
