import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findTopLevelValue } from '../../server/torrent/bencode-span.js';
import { databaseKinds } from '../helpers/databases.js';
import {
  ADMIN, ADMIN_ENV, codeOf, cutUpload, fileParts, gql, login, ok, registerAs, seenErrors, setUpAccounts, sleep, storedState, unhandledRejectionsDuring, upload,
  type Accounts, type GqlReply,
} from '../helpers/graphql-client.js';
import { makeTorrent } from '../helpers/make-torrent.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { announce, failureOf, httpGet } from '../helpers/tracker-client.js';

type Who = 'anonymous' | 'owner' | 'other' | 'admin' | 'revoked' | 'expired';
const ALLOWED = 'allowed';
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
/** A past expires_at as text: better-sqlite3 cannot bind a Date, and both databases read this form. */
const PAST = '2000-01-01 00:00:00';
const until = async (cond: () => Promise<boolean>, ms = 3000): Promise<void> => {
  for (const end = Date.now() + ms; !(await cond());) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(25);
  }
};
const infoOf = (torrent: Buffer): Buffer => {
  const span = findTopLevelValue(torrent, 'info');
  if (span === null) throw new Error('no info dict');
  return torrent.subarray(span[0], span[1]);
};

for (const kind of databaseKinds()) {
  describe(`GraphQL permissions (${kind.name})`, () => {
    let t: TestServer;
    let acc: Accounts;
    /** Credentials per role; `revoked` and `expired` were the admin's (so a lapse would show). */
    const tokens: Partial<Record<Who, string>> = {};
    let revokedId: number;
    const q = (query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlReply> => gql(t.baseUrl, query, variables, token);
    before(async () => {
      t = await startTestServer(kind, ADMIN_ENV);
      acc = await setUpAccounts(t.baseUrl);
      Object.assign(tokens, { owner: acc.alice, other: acc.bob, admin: acc.admin });
      const api = ok(await q(CREATE_API_TOKEN, { name: 'ci' }, acc.admin)).createApiToken;
      assert.equal(ok(await q(ME, {}, api.token)).me.username, 'admin');
      ok(await q(REVOKE_API_TOKEN, { id: api.apiToken.id }, acc.admin));
      [tokens.revoked, revokedId] = [api.token, api.apiToken.id];
      tokens.expired = await login(t.baseUrl, ADMIN.username, ADMIN.password);
      assert.equal(ok(await q(ME, {}, tokens.expired)).me.username, 'admin');
      const [row] = await t.server.ds.query('SELECT id FROM sessions WHERE token_hash = ?', [sha256(tokens.expired)]);
      await t.server.ds.query('UPDATE sessions SET expires_at = ? WHERE id = ?', [PAST, row.id]);
    });
    after(() => t.close());

    let n = 0;
    const unique = (p: string): string => `${p}${++n}-${randomBytes(3).toString('hex')}`;
    const aliceTorrent = (): Promise<string> => registerAs(t.baseUrl, acc.alice);
    /** A fresh session for roles that logout would otherwise end. */
    const fresh = async (who: Who): Promise<string | undefined> => {
      const user = { owner: 'alice', other: 'bob', admin: ADMIN.username }[who as string];
      return user === undefined ? tokens[who] : login(t.baseUrl, user, user === ADMIN.username ? ADMIN.password : `${user}-password`);
    };
    const victim = async (): Promise<number> => ok(await q(CREATE_USER, { u: unique('victim'), p: 'victim-password', r: 'uploader' }, acc.admin)).createUser.id;

    const U = 'UNAUTHENTICATED', F = 'FORBIDDEN';
    const denied = { anonymous: U, revoked: U, expired: U };
    const matrix: [string, Partial<Record<Who, string>>, (who: Who) => Promise<GqlReply>][] = [
      ['uploadTorrent', { ...denied, owner: ALLOWED, admin: ALLOWED },
        (who) => upload(t.baseUrl, UPLOAD_TORRENT, { files: [null], name: null, pieceLength: null }, fileParts([[unique('f') + '.bin', randomBytes(3000)]]), { token: tokens[who] })],
      ['registerTorrent', { ...denied, owner: ALLOWED, admin: ALLOWED },
        (who) => upload(t.baseUrl, REGISTER_TORRENT, { file: null }, [{ at: 'variables.file', filename: 'x.torrent', data: makeTorrent().file }], { token: tokens[who] })],
      ['updateTorrent', { ...denied, owner: ALLOWED, other: F, admin: ALLOWED }, async (who) => q(UPDATE_TORRENT, { h: await aliceTorrent(), name: unique('renamed') }, tokens[who])],
      ['deleteTorrent', { ...denied, owner: ALLOWED, other: F, admin: ALLOWED }, async (who) => q(DELETE_TORRENT, { h: await aliceTorrent() }, tokens[who])],
      ['createUser', { ...denied, owner: F, other: F, admin: ALLOWED }, (who) => q(CREATE_USER, { u: unique('u'), p: 'some-password', r: 'uploader' }, tokens[who])],
      ['updateUser', { ...denied, owner: F, other: F, admin: ALLOWED }, async (who) => q(UPDATE_USER, { id: await victim(), r: 'admin' }, tokens[who])],
      ['deleteUser', { ...denied, owner: F, other: F, admin: ALLOWED }, async (who) => q(DELETE_USER, { id: await victim() }, tokens[who])],
      ['createApiToken', { ...denied, owner: ALLOWED, other: ALLOWED, admin: ALLOWED }, (who) => q(CREATE_API_TOKEN, { name: unique('t') }, tokens[who])],
      // someone else's token is not found (its existence is not revealed), only an admin may revoke it
      ['revokeApiToken', { ...denied, owner: ALLOWED, other: 'NOT_FOUND', admin: ALLOWED },
        async (who) => q(REVOKE_API_TOKEN, { id: ok(await q(CREATE_API_TOKEN, { name: unique('t') }, acc.alice)).createApiToken.apiToken.id }, tokens[who])],
      ['logout', { ...denied, owner: ALLOWED, other: ALLOWED, admin: ALLOWED }, async (who) => q(LOGOUT, {}, await fresh(who))],
    ];
    for (const [mutation, expected, run] of matrix) {
      it(`${mutation}: ${Object.entries(expected).map(([w, e]) => `${w} ${e}`).join(', ')}`, async () => {
        for (const [who, want] of Object.entries(expected) as [Who, string][]) {
          const r = await run(who);
          if (want === ALLOWED) assert.ok(r.errors === undefined && r.data?.[mutation] != null, `${mutation} as ${who}: ${JSON.stringify(r.errors)}`);
          else {
            assert.equal(codeOf(r), want, `${mutation} as ${who}: ${JSON.stringify(r.errors)}`);
            assert.equal(r.data?.[mutation] ?? null, null);
          }
        }
      });
    }

    it('leaves a torrent untouched when another uploader tries to change it', async () => {
      const h = await aliceTorrent();
      assert.equal(codeOf(await q(UPDATE_TORRENT, { h, name: 'stolen' }, acc.bob)), 'FORBIDDEN');
      assert.equal(codeOf(await q(DELETE_TORRENT, { h }, acc.bob)), 'FORBIDDEN');
      const now = ok(await q(TORRENT, { h })).torrent;
      assert.equal(now.owner, 'alice');
      assert.notEqual(now.name, 'stolen');
      assert.ok(t.server.registered.has(h));
      const renamed = ok(await q(UPDATE_TORRENT, { h, name: 'by the admin' }, acc.admin)).updateTorrent;
      assert.equal(renamed.name, 'by the admin');
    });

    it('treats revoked tokens, expired and ended sessions as anonymous', async () => {
      for (const tk of [tokens.revoked, tokens.expired, 'shs_not-a-real-token', 'garbage']) assert.equal(ok(await q(ME, {}, tk)).me, null);
      assert.deepEqual((await t.server.ds.query('SELECT revoked_at FROM api_tokens WHERE id = ?', [revokedId])).map((r: { revoked_at: unknown }) => r.revoked_at !== null), [true]);
      const session = await login(t.baseUrl, 'bob', 'bob-password');
      assert.equal(ok(await q(ME, {}, session)).me.username, 'bob');
      assert.equal(ok(await q(LOGOUT, {}, session)).logout, true);
      assert.equal(ok(await q(ME, {}, session)).me, null);
      assert.equal(codeOf(await q(CREATE_API_TOKEN, { name: 'late' }, session)), 'UNAUTHENTICATED');
      const api = ok(await q(CREATE_API_TOKEN, { name: 'no-logout' }, acc.bob)).createApiToken;
      assert.equal(codeOf(await q(LOGOUT, {}, api.token)), 'BAD_USER_INPUT', 'an API token is revoked, not logged out');
      assert.equal(codeOf(await q(REVOKE_API_TOKEN, { id: api.apiToken.id }, acc.alice)), 'NOT_FOUND');
      assert.equal(ok(await q(ME, {}, api.token)).me.username, 'bob', 'a refused revoke leaves the token working');
    });

    it('stores sessions and API tokens only as SHA-256 hashes', async () => {
      const session = await login(t.baseUrl, 'alice', 'alice-password');
      const api = ok(await q(CREATE_API_TOKEN, { name: 'hashed' }, session)).createApiToken;
      assert.ok(ok(await q(API_TOKENS, {}, session)).apiTokens.some((x: { name: string }) => x.name === 'hashed'));
      for (const [table, token] of [['sessions', session], ['api_tokens', api.token]]) {
        const rows: Record<string, unknown>[] = await t.server.ds.query(`SELECT * FROM ${table}`);
        const mine = rows.filter((r) => r.token_hash === sha256(token));
        assert.equal(mine.length, 1, table);
        assert.match(String(mine[0].token_hash), /^[0-9a-f]{64}$/);
        assert.notEqual(mine[0].token_hash, token);
        assert.ok(!JSON.stringify(rows).includes(token), `${table} holds a plain token`);
      }
    });

    it('refuses a wrong password, then rate-limits: the 6th attempt fails even with the right one', async () => {
      await login(t.baseUrl, 'bob', 'bob-password'); // a success clears earlier failures from this address
      const wrong = await q(LOGIN, { u: 'bob', p: 'not-the-password' });
      assert.equal(codeOf(wrong), 'UNAUTHENTICATED');
      assert.equal(wrong.data, null);
      assert.equal(codeOf(await q(LOGIN, { u: 'nobody', p: 'not-the-password' })), 'UNAUTHENTICATED', 'unknown users fail alike');
      await login(t.baseUrl, 'bob', 'bob-password');
      for (let i = 1; i <= 5; i++) assert.equal(codeOf(await q(LOGIN, { u: 'bob', p: `wrong-${i}` })), 'UNAUTHENTICATED', `attempt ${i}`);
      const sixth = await q(LOGIN, { u: 'bob', p: 'bob-password' });
      assert.equal(codeOf(sixth), 'RATE_LIMITED');
      assert.equal(sixth.data, null);
    });
  });
  describe(`GraphQL queries (${kind.name})`, () => {
    let t: TestServer;
    let acc: Accounts;
    /** Torrents in creation order: seven registered, then one hosted multi-file upload. */
    const made: { hash: string; name: string; size: number }[] = [];
    const q = (query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlReply> => gql(t.baseUrl, query, variables, token);
    const hashes = (p: { nodes: { infoHash: string }[] }): string[] => p.nodes.map((n) => n.infoHash);
    before(async () => {
      t = await startTestServer(kind, { ...ADMIN_ENV, PUBLIC_URL: 'http://seed.example:8080' });
      acc = await setUpAccounts(t.baseUrl);
      const sizes = [3000, 7000, 1000, 5000, 2000, 6000, 4000];
      for (const [i, word] of ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf'].entries()) {
        made.push({ hash: await registerAs(t.baseUrl, acc.alice, makeTorrent({ name: `q-${word}`, data: randomBytes(sizes[i]) })), name: `q-${word}`, size: sizes[i] });
      }
      const up = ok(await upload(t.baseUrl, UPLOAD_TORRENT, { files: [null, null], name: 'q-hotel', pieceLength: 16384 },
        fileParts([['a.txt', randomBytes(10)], ['sub/b.txt', randomBytes(8000)]]), { token: acc.alice })).uploadTorrent;
      made.push({ hash: up.infoHash, name: 'q-hotel', size: 8010 });
      const [alpha, bravo, charlie] = made.map((m) => m.hash);
      for (const [h, id, port, left, event] of [
        [alpha, 's1', 7001, 0], [alpha, 's2', 7002, 0], [alpha, 's3', 7003, 0], [alpha, 'l1', 7004, 500],
        [bravo, 's4', 7005, 0], [bravo, 's5', 7006, 0], [charlie, 'c1', 7007, 100, 'started'], [charlie, 'c1', 7007, 0, 'completed'],
      ] as [string, string, number, number, string?][]) {
        assert.equal(failureOf(await announce(t.announceUrl, { infoHash: h, peerId: `-qB4650-${id}`, port, left, event })), null);
      }
    });
    after(() => t.close());

    it('pages through every torrent, newest first, with stable cursors', async () => {
      const page = async (after?: string) => ok(await q(TORRENTS, { first: 3, after })).torrents;
      const p1 = await page();
      const p2 = await page(p1.pageInfo.endCursor);
      assert.deepEqual(await page(p1.pageInfo.endCursor), p2, 'the same cursor gives the same page');
      const p3 = await page(p2.pageInfo.endCursor);
      assert.deepEqual([p1, p2, p3].map((p) => [p.nodes.length, p.totalCount, p.pageInfo.hasNextPage, p.pageInfo.hasPreviousPage]),
        [[3, 8, true, false], [3, 8, true, true], [2, 8, false, true]]);
      for (const p of [p1, p2, p3]) {
        assert.deepEqual(p.edges.map((e: { node: { infoHash: string } }) => e.node.infoHash), hashes(p));
        assert.deepEqual([p.pageInfo.startCursor, p.pageInfo.endCursor], [p.edges[0].cursor, p.edges[p.edges.length - 1].cursor]);
      }
      assert.deepEqual([p1, p2, p3].flatMap(hashes), made.map((m) => m.hash).reverse());
      assert.deepEqual(hashes(ok(await q(TORRENTS, { first: 0 })).torrents), []);
    });

    it('searches names case-insensitively, taking % and _ literally', async () => {
        const find = async (search: string) => ok(await q(TORRENTS, { search, first: 20 })).torrents;
        const r = await find('Q-AL');
        assert.deepEqual([r.totalCount, r.nodes.map((n: { name: string }) => n.name)], [1, ['q-alpha']]);
        assert.deepEqual(hashes(await find('HoTeL')), [made[7].hash]);
        assert.equal((await find('q-')).totalCount, 8);
        for (const literal of ['%', '_', 'q_alpha', '\\']) assert.equal((await find(literal)).totalCount, 0, literal);
      });

    it('orders by name, size and live seeders', async () => {
      const order = async (orderBy: string, descending?: boolean, after?: string) => ok(await q(TORRENTS, { orderBy, descending, after, first: 3 })).torrents;
      const byName = made.map((m) => m.name).sort();
      assert.deepEqual((await order('NAME', false)).nodes.map((n: { name: string }) => n.name), byName.slice(0, 3));
      assert.deepEqual((await order('NAME')).nodes.map((n: { name: string }) => n.name), byName.reverse().slice(0, 3));
      const bySize = made.map((m) => m.size).sort((a, b) => b - a);
      assert.deepEqual((await order('SIZE')).nodes.map((n: { size: number }) => n.size), bySize.slice(0, 3));
      assert.deepEqual((await order('SIZE', false)).nodes.map((n: { size: number }) => n.size), bySize.reverse().slice(0, 3));
      const top = await order('SEEDERS');
      assert.deepEqual(top.nodes.map((n: { infoHash: string; seeders: number }) => [n.infoHash, n.seeders]), [[made[0].hash, 3], [made[1].hash, 2], [made[2].hash, 1]]);
      assert.deepEqual((await order('SEEDERS', true, top.pageInfo.endCursor)).nodes.map((n: { seeders: number }) => n.seeders), [0, 0, 0]);
      const last = await order('SEEDERS', false, ok(await q(TORRENTS, { orderBy: 'SEEDERS', descending: false, first: 5 })).torrents.pageInfo.endCursor);
      assert.deepEqual(hashes(last), [made[2].hash, made[1].hash, made[0].hash]);
    });

    it('reads one torrent with its files, magnet link and .torrent', async () => {
      const h = made[7].hash;
      const tor = ok(await q(TORRENT_FULL, { h: h.toUpperCase() })).torrent;
      assert.deepEqual([tor.infoHash, tor.name, tor.size, tor.pieceLength, tor.hosted, tor.owner], [h, 'q-hotel', 8010, 16384, true, 'alice']);
      assert.deepEqual(tor.files, [{ path: 'a.txt', size: 10 }, { path: 'sub/b.txt', size: 8000 }]);
      assert.ok(Math.abs(Date.parse(tor.createdAt) - Date.now()) < 60_000, tor.createdAt);
      const m = new URL(tor.magnetUri);
      assert.deepEqual([m.protocol, m.searchParams.get('xt'), m.searchParams.get('dn'), m.searchParams.get('xl'), m.searchParams.get('tr'), m.searchParams.get('ws'), m.searchParams.get('xs')],
        ['magnet:', `urn:btih:${h}`, 'q-hotel', '8010', 'http://seed.example:8080/announce', `http://seed.example:8080/webseed/${h}/`, `http://seed.example:8080/torrents/${h}.torrent`]);
      assert.equal(tor.torrentUrl, `http://seed.example:8080/torrents/${h}.torrent`);
      const file = await httpGet(`${t.baseUrl}/torrents/${h}.torrent`);
      assert.equal(createHash('sha1').update(infoOf(file.body)).digest('hex'), h);
      const charlie = ok(await q(TORRENT_FULL, { h: made[2].hash })).torrent;
      assert.deepEqual([charlie.seeders, charlie.leechers, charlie.completed, charlie.hosted, charlie.files], [1, 0, 1, false, [{ path: 'q-charlie', size: 1000 }]]);
      // a tracked-only torrent's magnet has no webseed, but still the .torrent as exact source
      const cm = new URL(charlie.magnetUri);
      assert.deepEqual([cm.searchParams.get('ws'), cm.searchParams.get('xs')], [null, `http://seed.example:8080/torrents/${made[2].hash}.torrent`]);
      assert.equal(ok(await q(TORRENT_FULL, { h: 'f'.repeat(40) })).torrent, null);
    });

    it('shows swarm counts to everyone, and peers only to admins', async () => {
      const h = made[0].hash;
      for (const token of [undefined, acc.alice]) {
        const r = await q(SWARM, { h }, token);
        assert.deepEqual(r.data?.swarm, { infoHash: h, seeders: 3, leechers: 1, completed: 0, peers: null });
        assert.deepEqual(r.errors?.map((e) => [e.extensions?.code, e.path?.join('.')]), [['FORBIDDEN', 'swarm.peers']]);
        assert.equal(ok(await q(SWARM_COUNTS, { h }, token)).swarm.seeders, 3, 'counts alone need no admin');
      }
      const s = ok(await q(SWARM, { h }, acc.admin)).swarm;
      assert.deepEqual([s.infoHash, s.seeders, s.leechers, s.completed], [h, 3, 1, 0]);
      const peers = s.peers.map((p: Record<string, unknown>) => `${p.seeder}/${p.left}/${p.client}/${p.ip}:${p.port}`).sort();
      assert.deepEqual(peers, [`false/500/qBittorrent 4.6.5/127.0.0.1:7004`, ...[7001, 7002, 7003].map((port) => `true/0/qBittorrent 4.6.5/127.0.0.1:${port}`)].sort());
      assert.ok(s.peers.every((p: { lastSeen: string; uploaded: number; downloaded: number }) => Math.abs(Date.parse(p.lastSeen) - Date.now()) < 60_000 && p.uploaded === 0 && p.downloaded === 0));
      assert.equal(ok(await q(SWARM_COUNTS, { h: made[2].hash })).swarm.completed, 1);
      assert.equal(ok(await q(SWARM_COUNTS, { h: 'e'.repeat(40) })).swarm, null);
    });

    it('pages the peers of a swarm for admins: seeders first, each once, bounded page sizes', async () => {
      const h = made[0].hash;
      const page = async (first?: number, after?: string) => ok(await q(SWARM_PAGE, { h, first, after }, acc.admin)).swarm.peers as { port: number; seeder: boolean; cursor: string }[];
      const p1 = await page(3);
      const p2 = await page(3, p1[2].cursor);
      assert.deepEqual([p1.length, p2.length], [3, 1]);
      assert.deepEqual([...p1, ...p2].map((p) => p.seeder), [true, true, true, false]);
      assert.deepEqual([...p1, ...p2].map((p) => p.port).sort(), [7001, 7002, 7003, 7004]);
      assert.deepEqual(await page(3, p2[0].cursor), []);
      assert.deepEqual(await page(0), []);
      assert.equal((await page()).length, 4);
      assert.equal((await page(200)).length, 4);
      const bad = async (first: number | undefined, after: string | undefined, token = acc.admin) => codeOf(await q(SWARM_PAGE, { h, first, after }, token));
      for (const first of [-1, 201, 100_000]) assert.equal(await bad(first, undefined), 'BAD_USER_INPUT', `first ${first}`);
      const cursor = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
      for (const after of ['nope', '', cursor({ p: -1 }), cursor({ p: 1.5 }), cursor({ p: '1' }), Buffer.from('{"p":1e999}').toString('base64url'), cursor(null)]) {
        assert.equal(await bad(undefined, after), 'BAD_USER_INPUT', `after ${after}`);
      }
      assert.equal(await bad(500, 'nope', acc.alice), 'FORBIDDEN', 'a non-admin learns nothing from its arguments');
    });

    it('answers stats and me', async () => {
      const s = ok(await q(STATS)).stats;
      assert.deepEqual([s.torrents, s.peers, s.seeders, s.leechers], [8, 7, 6, 1]);
      assert.ok(s.announcesLastMinute >= 8, String(s.announcesLastMinute));
      assert.equal(ok(await q(ME)).me, null);
      assert.deepEqual(ok(await q(ME, {}, acc.alice)).me, { id: acc.ids.alice, username: 'alice', role: 'uploader' });
      assert.deepEqual(ok(await q(ME, {}, acc.admin)).me, { id: acc.ids.admin, username: 'admin', role: 'admin' });
    });

    it('continues after a cursor without repeats or gaps when a torrent is added meanwhile', async () => {
        const p1 = ok(await q(TORRENTS, { first: 3 })).torrents;
        await registerAs(t.baseUrl, acc.alice);
        const p2 = ok(await q(TORRENTS, { first: 3, after: p1.pageInfo.endCursor })).torrents;
        assert.deepEqual(hashes(p2), made.map((m) => m.hash).reverse().slice(3, 6));
      });
  });

  describe(`GraphQL bad input (${kind.name})`, () => {
    let t: TestServer;
    let acc: Accounts;
    const q = (query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlReply> => gql(t.baseUrl, query, variables, token);
    const send = (files: [string, Buffer][], vars: Record<string, unknown> = {}, opts: { preflight?: boolean } = {}): Promise<GqlReply> =>
      upload(t.baseUrl, UPLOAD_TORRENT_SIZED, { files: files.map(() => null), ...vars }, fileParts(files), { token: acc.alice, ...opts });
    /** A reply read without the client helpers (its errors still go to the leak check). */
    const raw = async (res: Response): Promise<GqlReply> => {
      const body = await res.json() as { data?: Record<string, unknown>; errors?: GqlReply['errors'] };
      seenErrors.push(...(body.errors ?? []));
      return { status: res.status, data: body.data, errors: body.errors };
    };
    /** Runs `fn` and asserts it changed no torrent row, content folder or staging area. */
    const storesNothing = async (fn: () => Promise<void>): Promise<void> => {
      const before = await storedState(t);
      await fn();
      assert.deepEqual(await storedState(t), before);
    };
    before(async () => {
      t = await startTestServer(kind, { ...ADMIN_ENV, MAX_UPLOAD_BYTES: '100000' });
      acc = await setUpAccounts(t.baseUrl);
    });
    after(() => t.close());

    it('refuses broken .torrent files and duplicates', async () => {
      const register = (data: Buffer) => upload(t.baseUrl, REGISTER_TORRENT, { file: null }, [{ at: 'variables.file', filename: 'x.torrent', data }], { token: acc.alice });
      const good = makeTorrent();
      await storesNothing(async () => {
        // the last: an info dict whose only key is __proto__ (holding a valid info dict)
        const proto = Buffer.from(`d4:infod9:__proto__d6:lengthi3e4:name1:x12:piece lengthi16384e6:pieces20:${'a'.repeat(20)}eee`);
        for (const data of [Buffer.from('not bencode at all'), Buffer.alloc(0), good.file.subarray(0, good.file.length - 9), Buffer.from('d4:infod4:name1:xee'), proto]) {
          assert.equal(codeOf(await register(data)), 'BAD_USER_INPUT', data.toString('latin1').slice(0, 40));
        }
      });
      assert.equal(ok(await register(good.file)).registerTorrent.infoHash, good.infoHash);
      await storesNothing(async () => assert.equal(codeOf(await register(good.file)), 'CONFLICT'));
    });

    it('answers wrong types, bad paging and bad hashes with client errors, never a 500', () => storesNothing(async () => {
      const checks: [GqlReply, string][] = [
        [await q(TORRENTS_FIRST, { first: 'x' }), 'BAD_USER_INPUT'],
        [await q('{ torrents(first: "x") { totalCount } }'), 'GRAPHQL_VALIDATION_FAILED'],
        [await q(TORRENT_BY_HASH, { h: 12 }), 'BAD_USER_INPUT'],
        [await q(TORRENT_BY_HASH, {}), 'BAD_USER_INPUT'],
        [await q('{ torrents { nodes { nosuch } } }'), 'GRAPHQL_VALIDATION_FAILED'],
        [await q('{ torrents { '), 'GRAPHQL_PARSE_FAILED'],
        [await q(TORRENTS_FIRST, { first: 1000 }), 'BAD_USER_INPUT'],
        [await q(TORRENTS_FIRST, { first: -1 }), 'BAD_USER_INPUT'],
        [await q(TORRENTS_FIRST, { first: 5, after: 'not-a-cursor' }), 'BAD_USER_INPUT'],
        [await q(TORRENT_BY_HASH, { h: 'xyz' }), 'BAD_USER_INPUT'],
        [await q(TORRENT_BY_HASH, { h: 'g'.repeat(40) }), 'BAD_USER_INPUT'],
        [await q(SWARM_BY_HASH, { h: 'a'.repeat(41) }), 'BAD_USER_INPUT'],
        [await q(DELETE_TORRENT, { h: 'not-hex' }, acc.admin), 'BAD_USER_INPUT'],
        [await q(DELETE_TORRENT, { h: 'a'.repeat(40) }, acc.admin), 'NOT_FOUND'],
        [await q(UPDATE_TORRENT, { h: 'b'.repeat(40), name: 'x' }, acc.admin), 'NOT_FOUND'],
      ];
      for (const [r, code] of checks) {
        assert.equal(codeOf(r), code, JSON.stringify(r.errors));
        assert.ok(r.status === 200 || r.status === 400, `HTTP ${r.status}`);
      }
      assert.equal(ok(await q(TORRENT_BY_HASH, { h: 'a'.repeat(40) })).torrent, null);
      const bad = await fetch(`${t.baseUrl}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"query": ' });
      assert.deepEqual([bad.status, codeOf(await raw(bad))], [400, 'BAD_REQUEST']);
    }));

    it('refuses uploads over MAX_UPLOAD_BYTES and keeps nothing', async () => {
      await storesNothing(async () => {
        assert.equal(codeOf(await send([['big.bin', randomBytes(150_000)]])), 'PAYLOAD_TOO_LARGE');
        assert.equal(codeOf(await send([['a.bin', randomBytes(60_000)], ['b.bin', randomBytes(60_000)]], { name: 'two' })), 'PAYLOAD_TOO_LARGE');
        assert.equal(codeOf(await send([['s.bin', randomBytes(600)]], { totalSize: 200_000 })), 'PAYLOAD_TOO_LARGE');
      });
      assert.ok(ok(await send([['fits.bin', randomBytes(90_000)]])).uploadTorrent.infoHash);
    });

    it('refuses path tricks in file names and names', async () => {
      await storesNothing(async () => {
        for (const name of ['../evil.txt', 'a/../../evil.txt', '/etc/evil.txt', '..\\evil.txt', 'docs//evil.txt', '.', 'a/./b.txt']) {
          assert.equal(codeOf(await send([[name, Buffer.from('evil')]])), 'BAD_USER_INPUT', name);
        }
        assert.equal(codeOf(await send([['ok.txt', Buffer.from('evil')]], { name: '../evil' })), 'BAD_USER_INPUT');
        assert.equal(codeOf(await send([['ok.txt', Buffer.from('evil')]], { name: 'a/b' })), 'BAD_USER_INPUT');
      });
      assert.ok(!existsSync(path.join(t.dataDir, '..', 'evil.txt')) && !existsSync(path.join(t.dataDir, 'evil.txt')));
    });

    it('refuses multipart uploads without the CSRF preflight header, and malformed ones', async () => {
      await storesNothing(async () => {
        const r = await send([['csrf.bin', randomBytes(1000)]], {}, { preflight: false });
        assert.deepEqual([r.status, codeOf(r)], [400, 'BAD_REQUEST']);
        const form = new FormData();
        form.append('operations', '{not json');
        form.append('map', '{}');
        const bad = await fetch(`${t.baseUrl}/graphql`, { method: 'POST', headers: { 'apollo-require-preflight': 'true' }, body: form });
        assert.deepEqual([bad.status, codeOf(await raw(bad))], [400, 'BAD_REQUEST']);
      });
    });

    it('keeps nothing from an upload whose connection is cut mid-stream', async () => {
      const before = await storedState(t);
      const unhandled = await unhandledRejectionsDuring(() => cutUpload(t, UPLOAD_TORRENT_SIZED, { files: [null] }, fileParts([['cut.bin', randomBytes(90_000)]]), 40_000, acc.alice));
      await until(async () => (await storedState(t)).staging.length === 0);
      assert.deepEqual(await storedState(t), before);
      assert.deepEqual(unhandled, []);
      assert.equal(ok(await q(TORRENT_BY_HASH, { h: 'a'.repeat(40) })).torrent, null, 'the server still answers');
    });

    it('survives a multi-file upload cut mid-stream (no unhandled rejection, nothing kept)', async () => {
        const before = await storedState(t);
        const unhandled = await unhandledRejectionsDuring(() => cutUpload(t, UPLOAD_TORRENT_SIZED, { files: [null, null], name: 'cut' },
          fileParts([['a.bin', randomBytes(90_000)], ['b.bin', randomBytes(5_000)]]), 40_000, acc.alice));
        await until(async () => (await storedState(t)).staging.length === 0);
        assert.deepEqual(await storedState(t), before);
        assert.deepEqual(unhandled.map(String), []);
      });

    it('answers a multipart map naming a file that is not sent with a client error (no unhandled rejection)', async () => {
        let r: GqlReply | undefined;
        const unhandled = await unhandledRejectionsDuring(async () => {
          const form = new FormData();
          form.append('operations', JSON.stringify({ query: UPLOAD_TORRENT_SIZED, variables: { files: [null] } }));
          form.append('map', JSON.stringify({ 0: ['variables.files.0'] }));
          const res = await fetch(`${t.baseUrl}/graphql`, { method: 'POST', headers: { 'apollo-require-preflight': 'true', Authorization: `Bearer ${acc.alice}` }, body: form });
          r = await raw(res);
        });
        assert.deepEqual(unhandled.map(String), []);
        assert.ok(['BAD_REQUEST', 'BAD_USER_INPUT'].includes(codeOf(r as GqlReply) as string), JSON.stringify(r));
      });

    it('refuses an overlong name as bad input, keeping nothing', async () => {
        await storesNothing(async () => {
          assert.equal(codeOf(await send([['a.txt', Buffer.from('a')], ['b.txt', Buffer.from('b')]], { name: 'n'.repeat(300) })), 'BAD_USER_INPUT');
          assert.equal(codeOf(await send([[`${'d'.repeat(300)}/a.txt`, Buffer.from('a')], ['b.txt', Buffer.from('b')]], { name: 'long-path' })), 'BAD_USER_INPUT');
        });
      });

    it('refuses introspection nested deeper than its limit', async () => {
      const deep = await q(DEEP_QUERY_21);
      assert.deepEqual([deep.status, codeOf(deep)], [400, 'GRAPHQL_VALIDATION_FAILED']);
      assert.match(deep.errors?.[0].message ?? '', /introspection is nested 21 levels deep; the limit is 20/);
      assert.ok(ok(await q(DEEP_QUERY_20)).__type);
    });

    it('leaks no stack trace, SQL or file path in any error answered in this file', () => {
      assert.ok(seenErrors.length > 50, String(seenErrors.length));
      for (const e of seenErrors) {
        const text = JSON.stringify(e);
        assert.deepEqual(Object.keys(e.extensions ?? {}), ['code'], text);
        assert.doesNotMatch(text, /\bat \S+ \(|\.js:\d+|node_modules|file:\/\/|\/tmp\/|\/work\/|seedhost-data|SQLITE|\bER_[A-Z_]{3,}|QueryFailed|\b(SELECT|INSERT INTO|DELETE FROM)\b|syntax to use near|ENOENT|ENAMETOOLONG/, text);
      }
    });
  });
}

const TORRENT_FIELDS = 'infoHash name size owner';
const UPLOAD_TORRENT = `mutation($files: [Upload!]!, $name: String, $pieceLength: Int) {
  uploadTorrent(files: $files, name: $name, pieceLength: $pieceLength) { ${TORRENT_FIELDS} } }`;
const REGISTER_TORRENT = `mutation($file: Upload!) { registerTorrent(file: $file) { ${TORRENT_FIELDS} } }`;
const UPDATE_TORRENT = `mutation($h: String!, $name: String) { updateTorrent(infoHash: $h, name: $name) { ${TORRENT_FIELDS} } }`;
const DELETE_TORRENT = 'mutation($h: String!) { deleteTorrent(infoHash: $h) }';
const TORRENT = `query($h: String!) { torrent(infoHash: $h) { ${TORRENT_FIELDS} } }`;
const CREATE_USER = 'mutation($u: String!, $p: String!, $r: Role!) { createUser(username: $u, password: $p, role: $r) { id username role } }';
const UPDATE_USER = 'mutation($id: Int!, $r: Role) { updateUser(id: $id, role: $r) { id role } }';
const DELETE_USER = 'mutation($id: Int!) { deleteUser(id: $id) }';
const CREATE_API_TOKEN = 'mutation($name: String!) { createApiToken(name: $name) { token apiToken { id name } } }';
const REVOKE_API_TOKEN = 'mutation($id: Int!) { revokeApiToken(id: $id) }';
const API_TOKENS = '{ apiTokens { id name revokedAt } }';
const LOGOUT = 'mutation { logout }';
const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { username role } } }';
const ME = '{ me { id username role } }';
const TORRENT_FULL = `query($h: String!) { torrent(infoHash: $h) {
  infoHash name size pieceLength hosted owner createdAt magnetUri torrentUrl seeders leechers completed files { path size } } }`;
const TORRENTS = `query($first: Int, $after: String, $search: String, $orderBy: TorrentOrderField, $descending: Boolean) {
  torrents(first: $first, after: $after, search: $search, orderBy: $orderBy, descending: $descending) {
    totalCount nodes { infoHash name size seeders } edges { cursor node { infoHash } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
const SWARM = 'query($h: String!) { swarm(infoHash: $h) { infoHash seeders leechers completed peers { ip port seeder uploaded downloaded left client lastSeen } } }';
const SWARM_COUNTS = 'query($h: String!) { swarm(infoHash: $h) { infoHash seeders leechers completed } }';
const SWARM_PAGE = 'query($h: String!, $first: Int, $after: String) { swarm(infoHash: $h) { peers(first: $first, after: $after) { port seeder cursor } } }';
const STATS = '{ stats { torrents peers seeders leechers announcesLastMinute } }';
const UPLOAD_TORRENT_SIZED = `mutation($files: [Upload!]!, $name: String, $totalSize: Float) {
  uploadTorrent(files: $files, name: $name, totalSize: $totalSize) { infoHash } }`;
const TORRENTS_FIRST = 'query($first: Int, $after: String) { torrents(first: $first, after: $after) { totalCount } }';
const TORRENT_BY_HASH = 'query($h: String!) { torrent(infoHash: $h) { infoHash } }';
const SWARM_BY_HASH = 'query($h: String!) { swarm(infoHash: $h) { seeders } }';
/** Introspection nests without end: __type > fields > type > ofType x k > name is k + 4 levels deep. */
const DEEP_QUERY_20 = `{ __type(name: "Query") { fields { type { ${'ofType { '.repeat(16)}name${' }'.repeat(16)} } } } }`;
const DEEP_QUERY_21 = `{ __type(name: "Query") { fields { type { ${'ofType { '.repeat(17)}name${' }'.repeat(17)} } } } }`;
