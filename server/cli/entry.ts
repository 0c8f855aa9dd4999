// Process entry of the command line: loads .env, runs, maps failures to one stderr line + exit 1.
// `add` starts its hashing threads first of all, so they boot while the rest loads.
if (process.argv[2] === 'add') (await import('../torrent/hash-pool.js')).hashPool();
const [{ loadEnvFile }, { ConfigError }, { TorrentError }, { PublishError }, { CliError, run }] = await Promise.all([
  import('../env-file.js'), import('../config.js'), import('../torrent/parse-torrent.js'), import('../services/publish-input.js'), import('./main.js'),
]);

await loadEnvFile();
try {
  await run(process.argv.slice(2));
} catch (e) {
  const known = e instanceof CliError || e instanceof ConfigError || e instanceof TorrentError || e instanceof PublishError;
  process.stderr.write(`seedhost: ${known ? (e as Error).message : `error: ${(e as Error).message ?? String(e)}`}\n`);
  process.exitCode = 1;
}
