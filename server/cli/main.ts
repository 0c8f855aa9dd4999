// The `seedhost` command line, for operators on the server's machine. Same settings as the
// server; changes reach running servers through the database within SYNC_INTERVAL, or at once
// through Redis when REDIS_URL is set. Exit status: 0 done, 1 refused or failed, 2 usage or settings.
import { readFile, stat } from 'node:fs/promises';
import { loadConfig } from '../config.js';
import type { UserRole } from '../db/entities/user.entity.js';
import { noCatalogEvents } from '../services/catalog-events.js';
import { finishPublish } from '../services/finish-publish.js';
import { stageContent, type StagedContent } from '../services/stage-content.js';
import { LocalFileStore } from '../storage/local-file-store.js';
import { magnetUri } from '../torrent/magnet.js';
import { trackerList } from '../torrent/trackers.js';
import { MAX_TORRENT_FILE_BYTES, parseTorrent } from '../torrent/parse-torrent.js';
import { collectFiles, publishFile } from './add-files.js';
import { parseCommand, parseFormat, parsePieceLength } from './args.js';
import { databaseLabel, withDatabase, withTorrentRows } from './database.js';
import { CliError, fileError, fileProblem, UsageError } from './errors.js';
import { escapeForTerminal, formatBytes } from './format.js';
import { ALLOW_PUBLIC_URL_CHANGE, checkPublicUrl } from './public-url.js';

export { CliError, UsageError } from './errors.js';

// The database layer (TypeORM) and the services using it are loaded on first use: loading them is
// most of a command's start-up time, which `add` spends hashing instead.
const SYNOPSIS = {
  add: `add <path...> [--name N] [--description D] [--piece-length BYTES] [--format v1|v2|hybrid] [--link] [--${ALLOW_PUBLIC_URL_CHANGE}]`,
  register: 'register <file.torrent...>',
  list: 'list',
  remove: 'remove <infohash>',
  user: 'user add <username> --role admin|uploader [--password P]',
};
const USAGE = `usage: seedhost <command>
  ${SYNOPSIS.add}
      publish files or a folder (copied into DATA_DIR; --link: hard-linked where DATA_DIR is on
      the same file system: never change those files afterwards). Piece length by default: the
      smallest power of two from 256 KiB giving at most 2,000 pieces; BYTES may end in K or M.
      --format: v1 (BEP 3), v2 or hybrid (BEP 52); default TORRENT_FORMAT (v1).
      Refused when PUBLIC_URL differs from the server's (--${ALLOW_PUBLIC_URL_CHANGE}: write it anyway)
  ${SYNOPSIS.register}   track existing .torrent files (content not hosted)
  ${SYNOPSIS.list}                         registered torrents (the database used is named on stderr)
  ${SYNOPSIS.remove}             stop tracking a torrent and delete its content
  ${SYNOPSIS.user}   (password from stdin otherwise)
exit status: 0 done, 1 refused or failed, 2 wrong usage or an invalid setting`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand('add', SYNOPSIS.add, args, {
    name: { type: 'string' }, description: { type: 'string' }, 'piece-length': { type: 'string' }, format: { type: 'string' }, link: { type: 'boolean' },
    [ALLOW_PUBLIC_URL_CHANGE]: { type: 'boolean' },
  });
  if (positionals.length === 0) throw new UsageError(`add: give at least one file or folder\nusage: seedhost ${SYNOPSIS.add}`);
  const pieceLength = values['piece-length'] === undefined ? undefined : parsePieceLength(values['piece-length']);
  const format = values.format === undefined ? undefined : parseFormat(values.format);
  let collected;
  try {
    collected = await collectFiles(positionals);
  } catch (e) {
    throw new CliError(`add: ${(e as Error).message}`);
  }
  const name = values.name ?? collected.defaultName;
  if (name === undefined) throw new UsageError(`add: several paths need --name\nusage: seedhost ${SYNOPSIS.add}`);
  const config = loadConfig();
  // before any byte is hashed: is this the PUBLIC_URL the database's torrents are written with?
  const { openSqlClient } = await import('../db/direct/sql-client.js');
  const direct = await openSqlClient(config.databaseUrl); // null: no SQLite file yet
  if (direct !== null) await checkPublicUrl(direct, config.publicUrl, values[ALLOW_PUBLIC_URL_CHANGE] === true).catch(async (e: unknown) => {
    await direct.close();
    throw e;
  });
  const files = new LocalFileStore(config.dataDir, { directIo: config.directIo });
  const req = { name, description: values.description ?? null, pieceLength, multiFile: collected.multiFile, files: collected.files.map(publishFile), link: values.link === true, format: format ?? config.torrentFormat };
  // the bytes are staged and hashed (worker threads) while the database layer loads and opens
  const staging = stageContent(files, req, { maxUploadBytes: config.maxUploadBytes, maxFiles: config.maxTorrentFiles });
  staging.catch(() => undefined); // its failure is reported where it is awaited, not as unhandled
  let staged: StagedContent | undefined;
  const torrent = await withTorrentRows(config, direct, async (rows) => {
    staged = await staging;
    return finishPublish(rows, config.publicUrl, req, staged, config.publicUdpUrl);
  }).catch(async (e: unknown) => {
    // the database failed before the staged bytes were handed over: they are not kept
    if (staged === undefined) await staging.then((s) => s.writer.abort(), () => undefined);
    const problem = fileError(e);
    throw problem === undefined ? e : new CliError(`add: ${problem}`);
  });
  const magnet = magnetUri({
    infoHash: torrent.infoHash, format: torrent.format, infoHashV2: torrent.infoHashV2, name: torrent.name, totalSize: torrent.totalSize,
    announce: `${config.publicUrl}/announce`, trackers: trackerList(`${config.publicUrl}/announce`, config.publicUdpUrl), webseed: `${config.publicUrl}/webseed/${torrent.infoHash}/`,
    torrentUrl: `${config.publicUrl}/torrents/${torrent.infoHash}.torrent`,
  });
  process.stdout.write(`${escapeForTerminal(torrent.name)}  ${formatBytes(torrent.totalSize)}  ${torrent.pieceCount} pieces of ${formatBytes(torrent.pieceLength)}\n` +
    `${config.publicUrl}/torrents/${torrent.infoHash}.torrent\n${magnet}\n${torrent.infoHash}\n`);
}

/** Reads and checks each .torrent; refuses them all when one is unreadable, broken or given twice. */
async function loadTorrents(files: string[], maxFiles: number): Promise<{ file: string; buf: Buffer; infoHash: string }[]> {
  const loaded: { file: string; buf: Buffer; infoHash: string }[] = [];
  const problems: string[] = [];
  for (const file of files) {
    let buf: Buffer;
    try {
      // not read whole when it is far too large to be a .torrent
      if ((await stat(file)).size > MAX_TORRENT_FILE_BYTES) {
        problems.push(`${file}: larger than ${MAX_TORRENT_FILE_BYTES} bytes: not a .torrent this server takes`);
        continue;
      }
      buf = await readFile(file);
    } catch (e) {
      problems.push(`${file}: ${fileProblem(e)}`);
      continue;
    }
    try {
      const { infoHash } = parseTorrent(buf, { maxFiles });
      const twin = loaded.find((l) => l.infoHash === infoHash);
      if (twin !== undefined) problems.push(`${file}: the same torrent as ${twin.file}`);
      else loaded.push({ file, buf, infoHash });
    } catch (e) {
      problems.push(`${file}: ${(e as Error).message}`);
    }
  }
  if (problems.length > 0) throw new CliError(`register: nothing registered; ${problems.join('; ')}`);
  return loaded;
}

async function register(args: string[]): Promise<void> {
  const { positionals: files } = parseCommand('register', SYNOPSIS.register, args, {});
  if (files.length === 0) throw new UsageError(`register: give at least one .torrent file\nusage: seedhost ${SYNOPSIS.register}`);
  const { maxTorrentFiles } = loadConfig();
  const loaded = await loadTorrents(files, maxTorrentFiles);
  const { registerTorrent, registeredAmong } = await import('../services/register-torrent.js');
  await withDatabase({ command: 'register', changesRegistry: true }, async (ds) => {
    // a duplicate is refused, as `add` and the API's registerTorrent (CONFLICT) refuse it
    const taken = await registeredAmong(ds, loaded.map((l) => l.infoHash));
    if (taken.size > 0) {
      throw new CliError(`register: nothing registered; ${loaded.filter((l) => taken.has(l.infoHash)).map((l) => `${l.file}: torrent ${l.infoHash} is already registered`).join('; ')}`);
    }
    for (const l of loaded) {
      const { torrent, created } = await registerTorrent(ds, noCatalogEvents, l.buf, { maxFiles: maxTorrentFiles });
      if (!created) throw new CliError(`register: ${l.file}: torrent ${torrent.infoHash} was registered meanwhile by another process; the files before it were registered`);
      process.stdout.write(`${torrent.infoHash}\n`);
    }
  });
}

async function list(args: string[]): Promise<void> {
  parseCommand('list', SYNOPSIS.list, args, {}, false);
  const { listTorrents } = await import('../services/list-torrents.js');
  await withDatabase({ command: 'list', mustExist: true }, async (ds, config) => {
    const torrents = await listTorrents(ds);
    process.stderr.write(`seedhost: ${torrents.length} torrent${torrents.length === 1 ? '' : 's'} in ${databaseLabel(config.databaseUrl)}\n`);
    for (const t of torrents) {
      process.stdout.write(`${t.infoHash}  ${formatBytes(t.totalSize).padStart(10)}  ${String(t.completed).padStart(6)}  ${t.hosted ? 'hosted ' : 'tracked'}  ${escapeForTerminal(t.name)}\n`);
    }
  });
}

async function remove(args: string[]): Promise<void> {
  const { positionals } = parseCommand('remove', SYNOPSIS.remove, args, {});
  const hash = (positionals[0] ?? '').toLowerCase();
  if (positionals.length !== 1 || !/^[0-9a-f]{40}$/.test(hash)) throw new UsageError(`remove: give one info_hash (40 hex characters)\nusage: seedhost ${SYNOPSIS.remove}`);
  const { removeTorrent } = await import('../services/remove-torrent.js');
  const removed = await withDatabase({ command: 'remove', mustExist: true, changesRegistry: true },
    (ds, config) => removeTorrent(ds, noCatalogEvents, new LocalFileStore(config.dataDir), hash));
  if (!removed) throw new CliError(`remove: no torrent ${hash}`);
  process.stdout.write(`removed ${hash}\n`);
}

async function userAdd(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand('user add', SYNOPSIS.user, args, { role: { type: 'string' }, password: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError(`user add: give one username\nusage: seedhost ${SYNOPSIS.user}`);
  const role = values.role as UserRole | undefined;
  if (role !== 'admin' && role !== 'uploader') throw new UsageError(`user add: --role must be admin or uploader\nusage: seedhost ${SYNOPSIS.user}`);
  const password = values.password ?? (await readStdin());
  const { createUser, UserInputError } = await import('../services/users.js');
  const user = await withDatabase({ command: 'user add' }, (ds) => createUser(ds, positionals[0], password, role)).catch((e: unknown) => {
    throw e instanceof UserInputError ? new CliError(`user add: ${e.message}`) : e;
  });
  process.stdout.write(`created ${user.role} ${user.username}\n`);
}

/** Runs one command line; throws CliError / UsageError (or a config or database error) on failure. */
export async function run(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  const untilDashes = rest.indexOf('--') < 0 ? rest : rest.slice(0, rest.indexOf('--'));
  if (cmd === undefined || ['help', '--help', '-h'].includes(cmd) || untilDashes.includes('--help') || untilDashes.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // TypeORM's decorators want it before any entity loads; `add` usually loads no entity at all
  if (cmd !== 'add') await import('reflect-metadata');
  switch (cmd) {
    case 'add': return add(rest);
    case 'register': return register(rest);
    case 'list': return list(rest);
    case 'remove': return remove(rest);
    case 'user':
      if (rest[0] === 'add') return userAdd(rest.slice(1));
      throw new UsageError(`unknown command 'user ${rest[0] ?? ''}'\n${USAGE}`);
    default:
      throw new UsageError(`unknown command '${cmd}'\n${USAGE}`);
  }
}
