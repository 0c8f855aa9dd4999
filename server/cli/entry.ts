// Process entry of the command line: loads .env, runs, maps failures to one stderr line and exit
// status 1 (refused, failed), or 2 (wrong usage, invalid setting: as the server exits on one).
// `add` starts its hashing threads first of all, so they boot while the rest loads.
if (process.argv[2] === 'add') (await import('../torrent/hash-pool.js')).hashPool();
const [{ loadEnvFile }, { ConfigError }, { TorrentError }, { PublishError }, { CliError, UsageError, run }, { escapeForTerminal }] = await Promise.all([
  import('../env-file.js'), import('../config.js'), import('../torrent/parse-torrent.js'), import('../services/publish-input.js'), import('./main.js'), import('./format.js'),
]);

await loadEnvFile();
try {
  await run(process.argv.slice(2));
} catch (e) {
  const known = e instanceof CliError || e instanceof ConfigError || e instanceof TorrentError || e instanceof PublishError;
  // messages may quote names and paths from files: escaped, so they stay one line of plain text
  // (a usage text's own line breaks are kept)
  const message = known ? (e as Error).message : `error: ${(e as Error).message ?? String(e)}`;
  process.stderr.write(`seedhost: ${message.split('\n').map(escapeForTerminal).join('\n')}\n`);
  process.exitCode = e instanceof UsageError || e instanceof ConfigError ? 2 : 1;
}
