// uploadTorrent(format:) over GraphQL multipart: a hybrid upload's .torrent carries libtorrent 2.0's
// info dict and piece layers; TORRENT_FORMAT is the default; an unknown format is refused.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findTopLevelValue } from '../../server/torrent/bencode-span.js';
import { databaseKinds } from '../helpers/databases.js';
import { libtorrentPython, needs } from '../helpers/environment.js';
import { ADMIN_ENV, codeOf, fileParts, ok, setUpAccounts, upload, type Accounts } from '../helpers/graphql-client.js';
import { libtorrentTorrent } from '../helpers/libtorrent-create.js';
import { writeTree } from '../helpers/publish.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { httpGet } from '../helpers/tracker-client.js';

const PL = 16384;
const bytes = (n: number, seed: string): Buffer => {
  const out = Buffer.alloc(n);
  for (let at = 0, k = 0; at < n; k++) at += createHash('sha256').update(`${seed}:${k}`).digest().copy(out, at);
  return out;
};
const FILES: Record<string, Buffer> = { 'x/a.bin': bytes(50_000, 'a'), 'x-b': bytes(999, 'b'), 'e': Buffer.alloc(0), 'z/y/one': bytes(PL, 'one') };
const span = (torrent: Buffer, key: string): Buffer => {
  const s = findTopLevelValue(torrent, key);
  if (s === null) throw new Error(`no ${key}`);
  return torrent.subarray(s[0], s[1]);
};
const python = libtorrentPython();

describe('uploadTorrent(format:)', { skip: needs(python !== null, 'python3-libtorrent (apt-get install python3-libtorrent)') }, () => {
  let t: TestServer;
  let acc: Accounts;
  let dir: string;
  const send = (vars: Record<string, unknown>) => upload(t.baseUrl, UPLOAD_TORRENT, { files: Object.keys(FILES).map(() => null), name: 'up', pieceLength: PL, ...vars },
    fileParts(Object.entries(FILES)), { token: acc.alice });
  const torrentOf = async (infoHash: string): Promise<Buffer> => (await httpGet(`${t.baseUrl}/torrents/${infoHash}.torrent`)).body;
  before(async () => {
    t = await startTestServer(databaseKinds()[0], { ...ADMIN_ENV, TORRENT_FORMAT: 'v2' });
    acc = await setUpAccounts(t.baseUrl);
    dir = mkdtempSync(path.join(tmpdir(), 'seedhost-v2-upload-'));
    writeTree(path.join(dir, 'up'), FILES);
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes a hybrid whose info dict and piece layers are libtorrent\'s, announced under the SHA-1 info hash', async () => {
    const { uploadTorrent } = ok(await send({ format: 'HYBRID' }));
    const got = await torrentOf(uploadTorrent.infoHash);
    const want = libtorrentTorrent(python as string, path.join(dir, 'up'), PL, 'hybrid');
    assert.ok(span(got, 'info').equals(span(want, 'info')), 'info dict');
    assert.ok(span(got, 'piece layers').equals(span(want, 'piece layers')), 'piece layers');
    assert.equal(uploadTorrent.infoHash, createHash('sha1').update(span(got, 'info')).digest('hex'));
  });

  it('makes the server\'s TORRENT_FORMAT (here v2) when no format is named', async () => {
    const { uploadTorrent } = ok(await send({ name: 'up' }));
    const got = await torrentOf(uploadTorrent.infoHash);
    const want = libtorrentTorrent(python as string, path.join(dir, 'up'), PL, 'v2');
    assert.ok(span(got, 'info').equals(span(want, 'info')), 'info dict');
    assert.equal(uploadTorrent.infoHash, createHash('sha256').update(span(got, 'info')).digest('hex').slice(0, 40));
  });

  it('refuses a format that is not v1, v2 or hybrid with BAD_USER_INPUT, naming the enum', async () => {
    const r = await send({ format: 'v3' });
    assert.equal(codeOf(r), 'BAD_USER_INPUT');
    assert.match(r.errors?.[0]?.message ?? '', /TorrentFormat/);
  });
});

const UPLOAD_TORRENT = `mutation($files: [Upload!]!, $name: String, $pieceLength: Int, $format: TorrentFormat) {
  uploadTorrent(files: $files, name: $name, pieceLength: $pieceLength, format: $format) { infoHash name } }`;
