import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand, parsePieceLength } from '../../../server/cli/args.js';
import { UsageError } from '../../../server/cli/errors.js';

const OPTIONS = { name: { type: 'string' }, link: { type: 'boolean' } } as const;
const refused = (fn: () => unknown, message: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof UsageError && message.test(e.message) && !/parse|ERR_|To specify/i.test(e.message));
};

describe('command arguments', () => {
  it('reads options and positionals', () => {
    const { values, positionals } = parseCommand('add', 'add <path...>', ['a', '--name', 'N', '--link', 'b', '--', '--c'], OPTIONS);
    assert.deepEqual([values.name, values.link, positionals], ['N', true, ['a', 'b', '--c']]);
  });

  it('names the option at fault in its own words, with the usage', () => {
    refused(() => parseCommand('add', 'add <path...>', ['a', '--frob'], OPTIONS), /^add: unknown option --frob\nusage: seedhost add <path\.\.\.>$/);
    refused(() => parseCommand('add', 'add <path...>', ['a', '-x'], OPTIONS), /^add: unknown option -x\n/);
    refused(() => parseCommand('add', 'add <path...>', ['a', '--name'], OPTIONS), /^add: --name needs a value\n/);
    refused(() => parseCommand('add', 'add <path...>', ['--name', '--link', 'a'], OPTIONS), /^add: --name needs a value \(one starting with '-' is written --name=--link\)\n/);
    refused(() => parseCommand('add', 'add <path...>', ['--link=yes', 'a'], OPTIONS), /^add: --link takes no value\n/);
    refused(() => parseCommand('list', 'list', ['extra'], {}, false), /^list: takes no arguments\nusage: seedhost list$/);
  });
});

describe('--piece-length', () => {
  it('takes bytes, or K/KiB/M/MiB', () => {
    assert.equal(parsePieceLength('16384'), 16384);
    assert.equal(parsePieceLength('256K'), 262144);
    assert.equal(parsePieceLength('256kib'), 262144);
    assert.equal(parsePieceLength('4M'), 4 * 1024 * 1024);
    assert.equal(parsePieceLength('16MiB'), 16 * 1024 * 1024);
  });

  it('refuses what is not a power of two from 16 KiB to 16 MiB, saying so', () => {
    for (const bad of ['3000', '8K', '32M', '0', '48K']) {
      refused(() => parsePieceLength(bad), new RegExp(`^add: --piece-length must be a power of two from 16 KiB \\(16384\\) to 16 MiB \\(16777216\\) \\(got '${bad}'\\)$`));
    }
    for (const bad of ['abc', '', '-16384', '1.5M', '256KB', '0x4000']) {
      refused(() => parsePieceLength(bad), /^add: --piece-length takes a number of bytes, e\.g\. 262144 or 256K \(got '.*'\)$/);
    }
  });
});
