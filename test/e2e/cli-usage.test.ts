// The command line on its own, away from any server: usage errors and failures in seedhost's own
// words and exit statuses, and a missing database refused or reported, as when it runs in a
// folder without the server's .env.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';

describe('seedhost command line run away from the server\'s folder (SQLite)', () => {
  let dir: string;
  // the defaults, as in a folder without the server's .env: DATA_DIR ./data of the working folder
  const cli = (args: string[], input?: string) => runCli({ DATA_DIR: './data', DATABASE_URL: '', REDIS_URL: '', PUBLIC_URL: '' }, dir, args, input);
  before(() => { dir = mkdtempSync(path.join(tmpdir(), 'seedhost-elsewhere-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers usage errors with exit status 2 in its own words, other failures with 1, before opening any database', async () => {
    const cases: [string[], number, RegExp][] = [
      [['add', 'x.bin', '--frob'], 2, /^seedhost: add: unknown option --frob\nusage: seedhost add <path\.\.\.> /],
      [['add', 'x.bin', '--name'], 2, /^seedhost: add: --name needs a value\n/],
      [['add', 'x.bin', '--piece-length', '3000'], 2, /^seedhost: add: --piece-length must be a power of two from 16 KiB \(16384\) to 16 MiB \(16777216\) \(got '3000'\)\n$/],
      [['add', 'x.bin', '--piece-length', 'lots'], 2, /^seedhost: add: --piece-length takes a number of bytes/],
      [['add'], 2, /^seedhost: add: give at least one file or folder\n/],
      [['register', '--force', 'x.torrent'], 2, /^seedhost: register: unknown option --force\n/],
      [['list', 'everything'], 2, /^seedhost: list: takes no arguments\n/],
      [['remove', 'xyz'], 2, /^seedhost: remove: give one info_hash \(40 hex characters\)\n/],
      [['user', 'add', 'eve', '--role'], 2, /^seedhost: user add: --role needs a value\n/],
      [['frobnicate'], 2, /^seedhost: unknown command 'frobnicate'\nusage: seedhost <command>/],
      [['add', path.join(dir, 'missing.bin')], 1, /^seedhost: add: \S*missing\.bin: no such file or folder\n$/],
      [['register', path.join(dir, 'missing.torrent')], 1, /^seedhost: register: nothing registered; \S*missing\.torrent: no such file or folder\n$/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.doesNotMatch(r.stderr, /ENOENT|ERR_PARSE_ARGS|To specify a positional|error:/, args.join(' '));
    }
    const help = await cli(['add', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: seedhost <command>\n/);
  });

  it('refuses list and remove on a database that does not exist, naming where it looked, and creates nothing', async () => {
    const db = path.join(dir, 'data', 'seedhost.db');
    for (const args of [['list'], ['remove', 'ab'.repeat(20)]]) {
      const r = await cli(args);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `seedhost: ${args[0]}: no database at SQLite ${db} (DATA_DIR ${path.join(dir, 'data')}, working folder ${dir}); `
        + 'run seedhost in the server\'s folder (where its .env is), or set DATA_DIR or DATABASE_URL as the server has them\n');
    }
    assert.ok(!existsSync(path.join(dir, 'data')), 'no data folder was made');
  });

  it('says on stderr that it creates a new database when a command adds something to none', async () => {
    const r = await cli(['user', 'add', 'first', '--role', 'admin'], 'a long password\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^seedhost: creating a new, empty database at SQLite ${path.join(dir, 'data', 'seedhost.db').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
    const again = await cli(['list']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stderr, `seedhost: 0 torrents in SQLite ${path.join(dir, 'data', 'seedhost.db')}\n`);
  });
});
