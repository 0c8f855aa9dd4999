// The `seedhost` command line, for operators on the server's machine. Same settings as the
// server; changes reach running servers through the database within SYNC_INTERVAL, or at once
// through Redis when REDIS_URL is set.
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import type { DataSource } from 'typeorm';
import type { UserRole } from '../db/entities/user.entity.js';
import { noCatalogEvents } from '../services/catalog-events.js';
import { finishPublish } from '../services/finish-publish.js';
import { stageContent, type StagedContent } from '../services/stage-content.js';
import type { TorrentRows } from '../services/torrent-rows.js';
import { LocalFileStore } from '../storage/local-file-store.js';
import { magnetUri } from '../torrent/magnet.js';
import { MAX_TORRENT_FILE_BYTES, parseTorrent } from '../torrent/parse-torrent.js';
import { collectFiles, publishFile } from './add-files.js';
import { escapeForTerminal, formatBytes } from './format.js';

// The database layer (TypeORM) and the services using it are loaded on first use: loading them is
// most of a command's start-up time, which `add` spends hashing instead.
const USAGE = `usage: seedhost <command>
  add <path...> [--name N] [--description D] [--piece-length BYTES] [--link]
                                         publish files or a folder (copied into DATA_DIR;
                                         --link: hard-linked where DATA_DIR is on the same
                                         file system: never change those files afterwards)
  register <file.torrent...>             track existing .torrent files (content not hosted)
  list                                   registered torrents
  remove <infohash>                      stop tracking a torrent
  user add <username> --role admin|uploader [--password P]   (password from stdin otherwise)`;

/** A failure to report as one line on stderr with a non-zero exit. */
export class CliError extends Error {}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Tells running servers at once through Redis (when set) that the registry changed; without it they notice within SYNC_INTERVAL. */
async function notifyServers(config: Config): Promise<void> {
  if (config.redisUrl === undefined) return;
  const { publishEvent } = await import('../redis/event-bus.js');
  await publishEvent(config.redisUrl, config.redisPrefix, { kind: 'registry' })
    .catch((e: Error) => process.stderr.write(`seedhost: warning: could not notify servers through Redis (${e.message}); they will notice within SYNC_INTERVAL\n`));
}

/** Runs `fn` on the database (TypeORM, migrations applied); `changesRegistry`: then notifies running servers. */
async function withDatabase<T>(fn: (ds: DataSource, config: Config) => Promise<T>, changesRegistry = false): Promise<T> {
  const config = loadConfig();
  const { openDatabase } = await import('../db/data-source.js');
  const ds = await openDatabase(config.databaseUrl);
  let result: T;
  try {
    result = await fn(ds, config);
  } finally {
    await ds.destroy();
  }
  if (changesRegistry) await notifyServers(config);
  return result;
}

/**
 * Runs `fn` with the torrent rows of the database: in plain SQL when its schema is current, so
 * TypeORM (about 0.2 s of CPU to load) is not loaded at all; otherwise through TypeORM, which
 * creates or migrates the database first. Notifies running servers afterwards.
 */
async function withTorrentRows<T>(config: Config, fn: (rows: TorrentRows) => Promise<T>): Promise<T> {
  const { openSqlClient } = await import('../db/direct/sql-client.js');
  const direct = await openSqlClient(config.databaseUrl); // null: no SQLite file yet
  if (direct !== null) {
    const { directTorrentRows, schemaIsCurrent } = await import('../db/direct/torrent-rows.js');
    if (await schemaIsCurrent(direct)) {
      let value: T;
      try {
        value = await fn(directTorrentRows(direct));
      } finally {
        await direct.close();
      }
      await notifyServers(config);
      return value;
    }
    await direct.close();
  }
  return withDatabase(async (ds) => {
    const { typeormTorrentRows } = await import('../services/publish-torrent.js');
    return fn(typeormTorrentRows(ds));
  }, true);
}

async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { name: { type: 'string' }, description: { type: 'string' }, 'piece-length': { type: 'string' }, link: { type: 'boolean' } },
  });
  if (positionals.length === 0) throw new CliError('add: give at least one file or folder');
  const pl = values['piece-length'];
  if (pl !== undefined && !/^\d+$/.test(pl)) throw new CliError('add: --piece-length takes a number of bytes');
  let collected;
  try {
    collected = await collectFiles(positionals);
  } catch (e) {
    throw new CliError(`add: ${(e as Error).message}`);
  }
  const name = values.name ?? collected.defaultName;
  if (name === undefined) throw new CliError('add: several paths need --name');
  const config = loadConfig();
  const files = new LocalFileStore(config.dataDir, { directIo: config.directIo });
  const req = { name, description: values.description ?? null, pieceLength: pl === undefined ? undefined : Number(pl), multiFile: collected.multiFile, files: collected.files.map(publishFile), link: values.link === true };
  // the bytes are staged and hashed (worker threads) while the database layer loads and opens
  const staging = stageContent(files, req, { maxUploadBytes: config.maxUploadBytes, maxFiles: config.maxTorrentFiles });
  staging.catch(() => undefined); // its failure is reported where it is awaited, not as unhandled
  let staged: StagedContent | undefined;
  const torrent = await withTorrentRows(config, async (rows) => {
    staged = await staging;
    return finishPublish(rows, config.publicUrl, req, staged);
  }).catch(async (e: unknown) => {
    // the database failed before the staged bytes were handed over: they are not kept
    if (staged === undefined) await staging.then((s) => s.writer.abort(), () => undefined);
    throw e;
  });
  const magnet = magnetUri({
    infoHash: torrent.infoHash, name: torrent.name, totalSize: torrent.totalSize,
    announce: `${config.publicUrl}/announce`, webseed: `${config.publicUrl}/webseed/${torrent.infoHash}/`,
    torrentUrl: `${config.publicUrl}/torrents/${torrent.infoHash}.torrent`,
  });
  process.stdout.write(`${escapeForTerminal(torrent.name)}  ${formatBytes(torrent.totalSize)}  ${torrent.pieceCount} pieces of ${formatBytes(torrent.pieceLength)}\n` +
    `${config.publicUrl}/torrents/${torrent.infoHash}.torrent\n${magnet}\n${torrent.infoHash}\n`);
}

async function register(files: string[]): Promise<void> {
  if (files.length === 0) throw new CliError('register: give at least one .torrent file');
  const loaded: Buffer[] = [];
  const problems: string[] = [];
  const { maxTorrentFiles } = loadConfig();
  for (const f of files) {
    try {
      // not read whole when it is far too large to be a .torrent
      if ((await stat(f)).size > MAX_TORRENT_FILE_BYTES) throw new Error(`larger than ${MAX_TORRENT_FILE_BYTES} bytes: not a .torrent this server takes`);
      const buf = await readFile(f);
      parseTorrent(buf, { maxFiles: maxTorrentFiles });
      loaded.push(buf);
    } catch (e) {
      problems.push(`${f}: ${(e as Error).message.replace(/^ENOENT: /, '')}`);
    }
  }
  if (problems.length > 0) throw new CliError(`register: nothing registered; ${problems.join('; ')}`);
  const { registerTorrent } = await import('../services/register-torrent.js');
  await withDatabase(async (ds) => {
    for (const buf of loaded) {
      const { torrent } = await registerTorrent(ds, noCatalogEvents, buf, { maxFiles: maxTorrentFiles });
      process.stdout.write(`${torrent.infoHash}\n`);
    }
  }, true);
}

async function list(): Promise<void> {
  const { listTorrents } = await import('../services/list-torrents.js');
  await withDatabase(async (ds) => {
    for (const t of await listTorrents(ds)) {
      process.stdout.write(`${t.infoHash}  ${formatBytes(t.totalSize).padStart(10)}  ${String(t.completed).padStart(6)}  ${t.hosted ? 'hosted ' : 'tracked'}  ${escapeForTerminal(t.name)}\n`);
    }
  });
}

async function remove(args: string[]): Promise<void> {
  const hash = (args[0] ?? '').toLowerCase();
  if (args.length !== 1 || !/^[0-9a-f]{40}$/.test(hash)) throw new CliError('remove: give one info_hash (40 hex characters)');
  const { removeTorrent } = await import('../services/remove-torrent.js');
  const removed = await withDatabase((ds, config) => removeTorrent(ds, noCatalogEvents, new LocalFileStore(config.dataDir), hash), true);
  if (!removed) throw new CliError(`remove: no torrent ${hash}`);
  process.stdout.write(`removed ${hash}\n`);
}

async function userAdd(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { role: { type: 'string' }, password: { type: 'string' } } });
  if (positionals.length !== 1) throw new CliError('user add: give one username');
  const role = values.role as UserRole | undefined;
  if (role !== 'admin' && role !== 'uploader') throw new CliError('user add: --role must be admin or uploader');
  const password = values.password ?? (await readStdin());
  const { createUser, UserInputError } = await import('../services/users.js');
  const user = await withDatabase((ds) => createUser(ds, positionals[0], password, role)).catch((e: unknown) => {
    throw e instanceof UserInputError ? new CliError(e.message) : e;
  });
  process.stdout.write(`created ${user.role} ${user.username}\n`);
}

/** Runs one command line; throws CliError (or a config/database error) on failure. */
export async function run(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  // TypeORM's decorators want it before any entity loads; `add` usually loads no entity at all
  if (cmd !== 'add') await import('reflect-metadata');
  switch (cmd) {
    case 'add': return add(rest);
    case 'register': return register(rest);
    case 'list': return list();
    case 'remove': return remove(rest);
    case 'user':
      if (rest[0] === 'add') return userAdd(rest.slice(1));
      throw new CliError(`unknown command 'user ${rest[0] ?? ''}'\n${USAGE}`);
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new CliError(`unknown command '${cmd}'\n${USAGE}`);
  }
}
