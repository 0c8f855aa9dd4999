// `seedhost add` writes its own PUBLIC_URL into the torrent; run without the server's settings it
// would write another (http://localhost:8080) and the torrent would point nowhere. Checked against
// the PUBLIC_URL the server recorded at its last start, else the newest hosted torrent's announce.
import { newestHostedMetainfo, PUBLIC_URL_SETTING, readSetting } from '../db/direct/settings.js';
import type { SqlClient } from '../db/direct/sql-client.js';
import { findTopLevelValue } from '../torrent/bencode-span.js';
import { CliError } from './errors.js';

/** The override flag of `add`. */
export const ALLOW_PUBLIC_URL_CHANGE = 'allow-public-url-change';

/** The PUBLIC_URL a torrent made here was written with: its `announce` less `/announce`; undefined if it has no such announce. */
export function publicUrlOfMetainfo(metainfo: Buffer): string | undefined {
  const span = findTopLevelValue(metainfo, 'announce');
  if (span === null) return undefined;
  const raw = metainfo.subarray(span[0], span[1]);
  const announce = raw.subarray(raw.indexOf(0x3a) + 1).toString('utf8'); // <length>:<bytes>
  return announce.endsWith('/announce') ? announce.slice(0, -'/announce'.length) : undefined;
}

/** The same URL once case, default ports and trailing slashes are set aside. */
function sameUrl(a: string, b: string): boolean {
  const norm = (u: string): string => {
    try {
      return new URL(u).href.replace(/\/+$/, '');
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

/**
 * The PUBLIC_URL this database's torrents are written with, and where that was read: the server's
 * record (written at each start), else the newest hosted torrent; undefined when neither exists.
 */
export async function catalogPublicUrl(db: SqlClient): Promise<{ url: string; source: string } | undefined> {
  const recorded = await readSetting(db, PUBLIC_URL_SETTING);
  if (recorded !== undefined) return { url: recorded, source: 'the server on this database writes' };
  const metainfo = await newestHostedMetainfo(db);
  const url = metainfo === undefined ? undefined : publicUrlOfMetainfo(metainfo);
  return url === undefined ? undefined : { url, source: 'the newest torrent published on this database was written with' };
}

/** Throws CliError when `publicUrl` is not the one this database's torrents are written with, unless `allowed` (then warns on stderr). */
export async function checkPublicUrl(db: SqlClient, publicUrl: string, allowed: boolean): Promise<void> {
  const catalog = await catalogPublicUrl(db);
  if (catalog === undefined || sameUrl(catalog.url, publicUrl)) return;
  const what = `this command would write PUBLIC_URL ${publicUrl} into the torrent, but ${catalog.source} ${catalog.url}`;
  if (allowed) {
    process.stderr.write(`seedhost: warning: ${what}; writing ${publicUrl} as --${ALLOW_PUBLIC_URL_CHANGE} asks\n`);
    return;
  }
  throw new CliError(`add: refused: ${what}. Run seedhost with the server's settings (PUBLIC_URL, or PORT; its .env is read from the working folder), or add --${ALLOW_PUBLIC_URL_CHANGE} to write ${publicUrl} anyway`);
}
