// The `seedhost` command line, for operators on the server's machine. Same settings as the
// server; changes reach running servers through the database within SYNC_INTERVAL, or at once
// through Redis when REDIS_URL is set.
import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { openDatabase } from '../db/data-source.js';
import type { UserRole } from '../db/entities/user.entity.js';
import { noCatalogEvents } from '../services/catalog-events.js';
import { listTorrents } from '../services/list-torrents.js';
import { registerTorrent } from '../services/register-torrent.js';
import { removeTorrent } from '../services/remove-torrent.js';
import { createUser } from '../services/users.js';
import { publishTorrent } from '../services/publish-torrent.js';
import { publishEvent } from '../redis/event-bus.js';
import { LocalFileStore } from '../storage/local-file-store.js';
import { magnetUri } from '../torrent/magnet.js';
import { parseTorrent } from '../torrent/parse-torrent.js';
import { collectFiles, publishFile } from './add-files.js';
import { formatBytes } from './format.js';

const USAGE = `usage: seedhost <command>
  add <path...> [--name N] [--description D] [--piece-length BYTES]
                                         publish files or a folder (copied into DATA_DIR)
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

/** Runs `fn` on the database; `changesRegistry`: then tells running instances at once via Redis (when set). */
async function withDatabase<T>(fn: (ds: Awaited<ReturnType<typeof openDatabase>>, config: Config) => Promise<T>, changesRegistry = false): Promise<T> {
  const config = loadConfig();
  const ds = await openDatabase(config.databaseUrl);
  let result: T;
  try {
    result = await fn(ds, config);
  } finally {
    await ds.destroy();
  }
  // without Redis, servers notice within SYNC_INTERVAL through the change counter
  if (changesRegistry && config.redisUrl !== undefined) {
    await publishEvent(config.redisUrl, config.redisPrefix, { kind: 'registry' })
      .catch((e: Error) => process.stderr.write(`seedhost: warning: could not notify servers through Redis (${e.message}); they will notice within SYNC_INTERVAL\n`));
  }
  return result;
}

async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { name: { type: 'string' }, description: { type: 'string' }, 'piece-length': { type: 'string' } },
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
  const torrent = await withDatabase((ds, config) => publishTorrent(
    { ds, files: new LocalFileStore(config.dataDir), events: noCatalogEvents, publicUrl: config.publicUrl, maxUploadBytes: config.maxUploadBytes },
    { name, description: values.description ?? null, pieceLength: pl === undefined ? undefined : Number(pl), multiFile: collected.multiFile, files: collected.files.map(publishFile) },
  ), true);
  const config = loadConfig();
  const magnet = magnetUri({
    infoHash: torrent.infoHash, name: torrent.name, totalSize: torrent.totalSize,
    announce: `${config.publicUrl}/announce`, webseed: `${config.publicUrl}/webseed/${torrent.infoHash}/`,
  });
  process.stdout.write(`${torrent.name}  ${formatBytes(torrent.totalSize)}  ${torrent.pieceCount} pieces of ${formatBytes(torrent.pieceLength)}\n` +
    `${config.publicUrl}/torrents/${torrent.infoHash}.torrent\n${magnet}\n${torrent.infoHash}\n`);
}

async function register(files: string[]): Promise<void> {
  if (files.length === 0) throw new CliError('register: give at least one .torrent file');
  const loaded: Buffer[] = [];
  const problems: string[] = [];
  for (const f of files) {
    try {
      const buf = await readFile(f);
      parseTorrent(buf);
      loaded.push(buf);
    } catch (e) {
      problems.push(`${f}: ${(e as Error).message.replace(/^ENOENT: /, '')}`);
    }
  }
  if (problems.length > 0) throw new CliError(`register: nothing registered; ${problems.join('; ')}`);
  await withDatabase(async (ds) => {
    for (const buf of loaded) {
      const { torrent } = await registerTorrent(ds, noCatalogEvents, buf);
      process.stdout.write(`${torrent.infoHash}\n`);
    }
  }, true);
}

async function list(): Promise<void> {
  await withDatabase(async (ds) => {
    for (const t of await listTorrents(ds)) {
      process.stdout.write(`${t.infoHash}  ${formatBytes(t.totalSize).padStart(10)}  ${String(t.completed).padStart(6)}  ${t.hosted ? 'hosted ' : 'tracked'}  ${t.name}\n`);
    }
  });
}

async function remove(args: string[]): Promise<void> {
  const hash = (args[0] ?? '').toLowerCase();
  if (args.length !== 1 || !/^[0-9a-f]{40}$/.test(hash)) throw new CliError('remove: give one info_hash (40 hex characters)');
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
  const user = await withDatabase((ds) => createUser(ds, positionals[0], password, role));
  process.stdout.write(`created ${user.role} ${user.username}\n`);
}

/** Runs one command line; throws CliError (or a config/database error) on failure. */
export async function run(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
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
