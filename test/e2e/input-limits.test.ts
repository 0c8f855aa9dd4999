// What a client may send to the API, bounded: files per torrent, names, descriptions, paths,
// searches and cursors; every refusal is BAD_USER_INPUT with nothing stored and no stack logged.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_BYTES, MAX_SEARCH_LENGTH } from '../../server/services/input-limits.js';
import { databaseKinds } from '../helpers/databases.js';
import { ADMIN, ADMIN_ENV, codeOf, encodeMultipart, fileParts, gql, login, multipartBody, ok, storedState, upload, type GqlReply } from '../helpers/graphql-client.js';
import { makeMultiFileTorrent, makeTorrent } from '../helpers/make-torrent.js';
import { memoryLogger } from '../helpers/memory-logger.js';
import { writeTree } from '../helpers/publish.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** MAX_TORRENT_FILES of the server under test: small, so a refusal needs few parts. */
const MAX_FILES = 1200;
const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

for (const kind of databaseKinds()) {
  describe(`input limits (${kind.name})`, () => {
    let t: TestServer;
    let token: string;
    let work: string;
    const log = memoryLogger('warn');
    const q = (query: string, variables: Record<string, unknown> = {}): Promise<GqlReply> => gql(t.baseUrl, query, variables, token);
    const send = (variables: Record<string, unknown>, files: [string, Buffer][]): Promise<GqlReply> =>
      upload(t.baseUrl, UPLOAD_TORRENT, { files: files.map(() => null), name: null, description: null, ...variables }, fileParts(files), { token });
    /** An upload of one file whose filename is sent as `filename*=utf-8''<encoded>` (RFC 5987). */
    const sendEncodedName = async (encoded: string): Promise<GqlReply> => {
      const form = multipartBody(UPLOAD_TORRENT, { files: [null, null], name: 'encoded', description: null }, fileParts([['PLACEHOLDER', Buffer.from('a')], ['b', Buffer.from('b')]]));
      const { body, contentType } = await encodeMultipart(form);
      const edited = Buffer.from(body.toString('latin1').replace('filename="PLACEHOLDER"', `filename*=utf-8''${encoded}`), 'latin1');
      const res = await fetch(`${t.baseUrl}/graphql`, {
        method: 'POST', body: edited, headers: { 'Content-Type': contentType, 'apollo-require-preflight': 'true', Authorization: `Bearer ${token}` },
      });
      return { status: res.status, ...(await res.json() as { data: Record<string, any> | null; errors: GqlReply['errors'] }) };
    };
    const register = (file: Buffer, description: string | null = null): Promise<GqlReply> =>
      upload(t.baseUrl, REGISTER_TORRENT, { file: null, description }, [{ at: 'variables.file', filename: 'x.torrent', data: file }], { token });
    /** Asserts a BAD_USER_INPUT refusal whose message matches, and that nothing was stored. */
    const refused = async (reply: Promise<GqlReply>, message: RegExp): Promise<void> => {
      const before = await storedState(t);
      const r = await reply;
      assert.equal(codeOf(r), 'BAD_USER_INPUT', JSON.stringify(r.errors));
      assert.match(r.errors?.[0]?.message ?? '', message);
      assert.deepEqual(await storedState(t), { ...before, staging: [] });
    };

    before(async () => {
      t = await startTestServer(kind, { ...ADMIN_ENV, MAX_TORRENT_FILES: String(MAX_FILES) }, log.logger);
      token = await login(t.baseUrl, ADMIN.username, ADMIN.password);
      work = mkdtempSync(path.join(tmpdir(), 'seedhost-limits-'));
    });
    after(async () => {
      await t.close();
      rmSync(work, { recursive: true, force: true });
    });

    describe('files per torrent (MAX_TORRENT_FILES)', () => {
      const many = (n: number): [string, number][] => Array.from({ length: n }, (_, i) => [`d/f${String(i).padStart(5, '0')}`, 1]);

      it('refuses an upload of more files before staging any', async () => {
        const files = many(MAX_FILES + 1).map(([p]): [string, Buffer] => [p, Buffer.from('x')]);
        await refused(send({ name: 'too-many' }, files), new RegExp(`${MAX_FILES + 1} files; a torrent may have at most ${MAX_FILES} \\(MAX_TORRENT_FILES\\)`));
      });

      it('refuses a .torrent with more files', async () => {
        await refused(register(makeMultiFileTorrent('too-many', many(MAX_FILES + 1)).file), /at most 1200 are accepted \(MAX_TORRENT_FILES\)/);
      });

      it('refuses them on the command line too, in one line', async () => {
        const dir = writeTree(path.join(work, 'many'), Object.fromEntries(many(MAX_FILES + 1).map(([p]) => [p, Buffer.from('x')])));
        const add = await t.cli(['add', dir]);
        assert.notEqual(add.code, 0);
        assert.match(add.stderr, /^seedhost: 1201 files; a torrent may have at most 1200 \(MAX_TORRENT_FILES\)\n$/);
        const file = path.join(work, 'many.torrent');
        writeFileSync(file, makeMultiFileTorrent('many', many(MAX_FILES + 1)).file);
        const reg = await t.cli(['register', file]);
        assert.notEqual(reg.code, 0);
        assert.match(reg.stderr, /^seedhost: register: nothing registered; .*at most 1200 are accepted \(MAX_TORRENT_FILES\)\n$/);
        assert.deepEqual((await storedState(t)).staging, []);
      });
    });

    describe('Torrent.files, paged', () => {
      let infoHash: string;
      const paths = Array.from({ length: 1100 }, (_, i) => `f${String(i).padStart(4, '0')}`);
      before(async () => {
        infoHash = ok(await register(makeMultiFileTorrent('paged', paths.map((p) => [p, 10])).file)).registerTorrent.infoHash;
      });

      it('gives the first 1000 files without arguments, and the rest after the last cursor', async () => {
        const first = ok(await q(FILES, { h: infoHash })).torrent;
        assert.equal(first.fileCount, 1100);
        assert.equal(first.files.length, 1000);
        const rest = ok(await q(FILES_AFTER, { h: infoHash, first: 1000, after: first.files[999].cursor })).torrent.files;
        assert.deepEqual([...first.files, ...rest].map((f: { path: string }) => f.path), paths);
      });

      it('refuses a page over 1000 and cursors it did not write', async () => {
        assert.equal(codeOf(await q(FILES_AFTER, { h: infoHash, first: 1001, after: '0' })), 'BAD_USER_INPUT');
        for (const after of ['x', '-1', '1.5', '1e999', 'Infinity', '99999999999', ' 1']) {
          assert.equal(codeOf(await q(FILES_AFTER, { h: infoHash, first: 10, after })), 'BAD_USER_INPUT', after);
        }
      });
    });

    describe('names and descriptions', () => {
      const long = 'n'.repeat(MAX_NAME_BYTES + 1);

      it('takes a name of 255 bytes and a description of 20,000 three-byte characters (60,000 bytes), and reads them back', async () => {
        const name = 'é'.repeat(127) + 'x'; // 255 bytes of UTF-8
        const description = '€'.repeat(MAX_DESCRIPTION_LENGTH);
        const up = ok(await send({ name, description }, [['a.bin', randomBytes(100)], ['b.bin', randomBytes(100)]])).uploadTorrent;
        const back = ok(await q(TORRENT, { h: up.infoHash })).torrent;
        assert.deepEqual([back.name, back.description], [name, description]);
        const renamed = ok(await q(UPDATE, { h: up.infoHash, name: 'ü'.repeat(127), description })).updateTorrent;
        assert.equal(renamed.name, 'ü'.repeat(127));
      });

      it('keeps UTF-8 file names as sent (not read as latin1, which would look like C1 controls)', async () => {
        const up = ok(await send({ name: 'utf8' }, [['日本語/ファイル.txt', Buffer.from('a')], ['Привет.bin', Buffer.from('b')]])).uploadTorrent;
        const files = ok(await q(FILES, { h: up.infoHash })).torrent.files.map((f: { path: string }) => f.path);
        assert.deepEqual(files, ['Привет.bin', '日本語/ファイル.txt']);
      });

      it('refuses longer names on upload, register and update', async () => {
        await refused(send({ name: long }, [['a', Buffer.from('a')], ['b', Buffer.from('b')]]), /longer than 255 bytes/);
        await refused(register(makeTorrent({ name: long }).file), /longer than 255 bytes/);
        const h = ok(await register(makeTorrent().file)).registerTorrent.infoHash;
        await refused(q(UPDATE, { h, name: long }), /name is longer than 255 bytes/);
      });

      it('refuses longer descriptions on upload, register and update', async () => {
        const d = 'd'.repeat(MAX_DESCRIPTION_LENGTH + 1);
        await refused(send({ name: 'desc', description: d }, [['a.bin', Buffer.from('a')]]), /description is longer than 20000 characters/);
        await refused(register(makeTorrent().file, d), /description is longer than 20000 characters/);
        const h = ok(await register(makeTorrent().file)).registerTorrent.infoHash;
        await refused(q(UPDATE, { h, description: d }), /description is longer than 20000 characters/);
      });

      it('refuses control and direction characters in names, paths and descriptions, but keeps tabs and line breaks', async () => {
        await refused(send({ name: 'evil\u001b[2Jname' }, [['a', Buffer.from('a')], ['b', Buffer.from('b')]]), /control or direction character \(U\+001B\)/);
        // FormData sends a CR in a filename as %0D, and a raw one breaks the part header; the
        // RFC 5987 form (filename*=utf-8''...) carries one through
        await refused(sendEncodedName("a%0Db.txt"), /path "a\\rb.txt" contains a control or direction character \(U\+000D\)/);
        await refused(send({ name: 'bidi' }, [['photo\u202egpj.exe', Buffer.from('a')], ['c', Buffer.from('c')]]), /U\+202E/);
        await refused(send({ name: 'esc', description: 'bell \u0007' }, [['a.bin', Buffer.from('a')]]), /description contains a control character \(U\+0007\)/);
        const h = ok(await register(makeTorrent().file)).registerTorrent.infoHash;
        await refused(q(UPDATE, { h, name: 'two\nlines' }), /U\+000A/);
        await refused(q(UPDATE, { h, description: 'x\u009by' }), /U\+009B/);
        const kept = ok(await q(UPDATE, { h, description: 'line one\r\n\tline two\n' })).updateTorrent;
        assert.equal(kept.description, 'line one\n\tline two\n');
      });
    });

    describe('paths', () => {
      it('refuses a file and a folder of the same path, in either order, keeping nothing', async () => {
        await refused(send({ name: 'clash1' }, [['a', Buffer.from('1')], ['a/b', Buffer.from('2')]]), /"a" is both a file and a folder/);
        await refused(send({ name: 'clash2' }, [['a/b', Buffer.from('1')], ['a', Buffer.from('2')]]), /"a" is both a file and a folder/);
        await refused(register(makeMultiFileTorrent('clash', [['a', 1], ['a/b', 1]]).file), /"a" is both a file and a folder/);
      });

      it('refuses a path that fits a torrent but not this server\'s storage once DATA_DIR is prefixed', async () => {
        // 4,079 bytes (within MAX_PATH_BYTES, 4,095): too long below DATA_DIR/content/<info_hash>/<name>/
        const deep = Array.from({ length: 16 }, (_, i) => `${i}`.padEnd(254, 'p')).join('/');
        assert.equal(Buffer.byteLength(deep), 4079);
        await refused(send({ name: 'deep' }, [[deep, Buffer.from('x')], ['b', Buffer.from('b')]]), /too long for this server's storage/);
        await refused(send({ name: 'component' }, [['c'.repeat(256), Buffer.from('x')], ['b', Buffer.from('b')]]), /longer than 255 bytes/);
        await refused(register(makeMultiFileTorrent('long', [['c'.repeat(256), 1]]).file), /longer than 255 bytes/);
      });
    });

    describe('search', () => {
      before(async () => {
        ok(await register(makeTorrent({ name: '100% pure_sound.flac' }).file));
        ok(await register(makeTorrent({ name: 'plain sound.flac' }).file));
      });

      it('refuses a search longer than MAX_SEARCH_LENGTH', async () => {
        await refused(q(TORRENTS, { search: 'a'.repeat(MAX_SEARCH_LENGTH + 1) }), /search is longer than 100 characters/);
      });

      it('matches wildcards and escapes literally, however many', async () => {
        const names = async (search: string): Promise<string[]> => ok(await q(TORRENTS, { search })).torrents.nodes.map((n: { name: string }) => n.name);
        assert.deepEqual(await names('%'), ['100% pure_sound.flac']);
        assert.deepEqual(await names('_'), ['100% pure_sound.flac']);
        assert.deepEqual(await names('%_!'.repeat(33)), []);
        assert.deepEqual(await names('\u{1F600}'.repeat(50)), []);
        assert.deepEqual((await names('sound')).sort(), ['100% pure_sound.flac', 'plain sound.flac']);
      });
    });

    describe('cursors', () => {
      it('refuses cursors it did not write, for every order', async () => {
        const bad = [
          'not base64 at all!', b64('{"k":'), b64('[]'), b64('null'), b64('"x"'), b64('{"k":1e999,"i":1}'), b64('{"k":1,"i":1e999}'),
          b64({ k: -1, i: 1 }), b64({ k: 1.5, i: 1 }), b64({ k: 1, i: 0 }), b64({ k: 1, i: 2.5 }), b64({ k: { a: 1 }, i: 1 }), b64({ k: 1, i: 1, x: 1 }),
          b64({ o: -1 }), b64({ o: 1.5 }), b64('{"o":1e999}'), 'A'.repeat(20_000),
        ];
        for (const orderBy of ['CREATED_AT', 'SIZE', 'NAME', 'SEEDERS']) {
          for (const after of bad) assert.equal(codeOf(await q(TORRENTS_AFTER, { after, orderBy })), 'BAD_USER_INPUT', `${orderBy} ${after.slice(0, 40)}`);
        }
        // a cursor of one order is refused by another
        const page = ok(await q(TORRENTS_AFTER, { after: null, orderBy: 'NAME' })).torrents;
        assert.equal(codeOf(await q(TORRENTS_AFTER, { after: page.edges[0].cursor, orderBy: 'SIZE' })), 'BAD_USER_INPUT');
        assert.equal(codeOf(await q(TORRENTS_AFTER, { after: page.edges[0].cursor, orderBy: 'SEEDERS' })), 'BAD_USER_INPUT');
        assert.ok(ok(await q(TORRENTS_AFTER, { after: page.edges[0].cursor, orderBy: 'NAME' })).torrents);
      });
    });

    describe('the terminal', () => {
      it('shows registered names with control characters escaped in `seedhost list`', async () => {
        const name = 'evil\u001b]0;pwned\u0007\rname\u202e.bin';
        ok(await register(makeTorrent({ name }).file));
        const list = await t.cli(['list']);
        assert.equal(list.code, 0, list.stderr);
        assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/.test(list.stdout), JSON.stringify(list.stdout));
        assert.ok(list.stdout.includes('evil\\x1b]0;pwned\\x07\\rname\\u202e.bin'), list.stdout);
      });
    });

    it('logged no error and no stack for any of these refusals', () => {
      const bad = log.lines.filter((l) => (l.level as number) >= 50 || JSON.stringify(l).includes('"stack"'));
      assert.deepEqual(bad, []);
    });
  });
}

const UPLOAD_TORRENT = 'mutation($files: [Upload!]!, $name: String, $description: String) { uploadTorrent(files: $files, name: $name, description: $description) { infoHash name } }';
const REGISTER_TORRENT = 'mutation($file: Upload!, $description: String) { registerTorrent(file: $file, description: $description) { infoHash } }';
const UPDATE = 'mutation($h: String!, $name: String, $description: String) { updateTorrent(infoHash: $h, name: $name, description: $description) { name description } }';
const TORRENT = 'query($h: String!) { torrent(infoHash: $h) { name description } }';
const FILES = 'query($h: String!) { torrent(infoHash: $h) { fileCount files { path size cursor } } }';
const FILES_AFTER = 'query($h: String!, $first: Int, $after: String) { torrent(infoHash: $h) { files(first: $first, after: $after) { path cursor } } }';
const TORRENTS = 'query($search: String) { torrents(search: $search, first: 100) { totalCount nodes { name } } }';
const TORRENTS_AFTER = 'query($after: String, $orderBy: TorrentOrderField) { torrents(first: 1, after: $after, orderBy: $orderBy) { edges { cursor } } }';
