// What a server says once at start (a single process, or the primary of a cluster): the PUBLIC_URL
// it writes into torrents (also recorded for the command line, see cli/public-url.ts) and where
// the web UI is, while there is no admin how to make one, and a kernel setting that bounds what
// slow webseed readers hold (http/kernel-tcp-note.ts).
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from './config.js';
import { notsentLowatNote, readNotsentLowat } from './http/kernel-tcp-note.js';
import { recordPublicUrl } from './services/public-url.js';
import { countUsers } from './services/users.js';

/** The command that makes an admin, as the operator types it in the server's folder. */
export const USER_ADD_COMMAND = 'node bin/seedhost.js user add NAME --role admin';

/**
 * Logs at info level where new torrents point and where the UI is, records PUBLIC_URL, and says
 * how to get a first admin while there is none. A database failure here is logged, not thrown.
 */
export async function logStartupNotes(ds: DataSource, config: Config, log: Logger): Promise<void> {
  const { publicUrl } = config;
  const ui = `${publicUrl}/`;
  log.info({ publicUrl, ui }, `new torrents announce to ${publicUrl}/announce (PUBLIC_URL); web UI at ${ui}`);
  const kernel = notsentLowatNote(readNotsentLowat());
  if (kernel !== null) log.info(kernel);
  try {
    const before = await recordPublicUrl(ds, publicUrl);
    if (before !== undefined && before !== publicUrl) {
      log.warn({ publicUrl, before }, `PUBLIC_URL changed from ${before}: torrents published before still point there`);
    }
    const { users, admins } = await countUsers(ds);
    if (admins > 0) return;
    const how = users === 0
      ? `run \`${USER_ADD_COMMAND}\` in this folder (password from stdin), or set ADMIN_USERNAME and ADMIN_PASSWORD and restart`
      : `run \`${USER_ADD_COMMAND}\` in this folder (password from stdin)`;
    log.info({ ui }, `no admin account yet: ${how}; then sign in at ${ui}`);
  } catch (err) {
    log.warn({ err }, 'could not record PUBLIC_URL or look for an admin');
  }
}
