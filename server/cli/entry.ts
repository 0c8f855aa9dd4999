// Process entry of the command line: loads .env, runs, maps failures to one stderr line + exit 1.
// `add` starts its hashing threads first of all, so they boot while the rest loads.
if (process.argv[2] === 'add') (await import('../torrent/hash-pool.js')).hashPool();
const [{ loadEnvFile }, { ConfigError }, { TorrentError }, { PublishError }, { CliError, run }, { escapeForTerminal }] = await Promise.all([
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
  process.exitCode = 1;
}
