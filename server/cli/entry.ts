// Process entry of the command line: loads .env, runs, maps failures to one stderr line + exit 1.
import { ConfigError } from '../config.js';
import { TorrentError } from '../torrent/parse-torrent.js';
import { PublishError } from '../services/publish-input.js';
import { CliError, run } from './main.js';

(await import('dotenv')).config({ quiet: true });
try {
  await run(process.argv.slice(2));
} catch (e) {
  const known = e instanceof CliError || e instanceof ConfigError || e instanceof TorrentError || e instanceof PublishError;
  process.stderr.write(`seedhost: ${known ? (e as Error).message : `error: ${(e as Error).message ?? String(e)}`}\n`);
  process.exitCode = 1;
}
