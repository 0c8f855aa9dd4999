// The start-up note about net.ipv4.tcp_notsent_lowat (server/http/kernel-tcp-note.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ADVISED_NOTSENT_LOWAT, notsentLowatNote, readNotsentLowat } from '../../../server/http/kernel-tcp-note.js';

describe('tcp_notsent_lowat start-up note', () => {
  it("advises a bound when the kernel has Linux's default (unlimited)", () => {
    const note = notsentLowatNote('4294967295\n');
    assert.ok(note !== null && note.includes('4294967295') && note.includes(`tcp_notsent_lowat=${ADVISED_NOTSENT_LOWAT}`), String(note));
  });

  it('says nothing when it is bounded, unreadable or not a number', () => {
    assert.equal(notsentLowatNote(`${ADVISED_NOTSENT_LOWAT}\n`), null);
    assert.equal(notsentLowatNote('16384'), null);
    assert.equal(notsentLowatNote(null), null);
    assert.equal(notsentLowatNote('x'), null);
  });

  it('reads the proc file, and null when there is none', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seedhost-lowat-'));
    writeFileSync(path.join(dir, 'v'), '131072\n');
    assert.equal(readNotsentLowat(path.join(dir, 'v')), '131072\n');
    assert.equal(readNotsentLowat(path.join(dir, 'missing')), null);
  });
});
