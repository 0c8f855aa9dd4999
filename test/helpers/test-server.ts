// A real seedhost server for e2e tests: in this process, port 0, a fresh data dir and database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer, type RunningServer } from '../../server/main.js';
import { runCli, type CliResult } from './cli.js';
import type { DatabaseKind, TestDatabase } from './databases.js';
import { makeTorrent } from './make-torrent.js';
import { waitUntil } from './wait.js';

export { CLI, REPO_ROOT } from './cli.js';

export interface TestServer {
  server: RunningServer;
  baseUrl: string;
  announceUrl: string;
  env: Record<string, string>;
  dataDir: string;
  /** Runs the real command line against this server's database. */
  cli(args: string[], input?: string): Promise<CliResult>;
  close(): Promise<void>;
}

/** Starts a server on `kind`'s fresh database; extra env overrides settings (e.g. PEER_TIMEOUT); `logger` replaces the stdout one (to read what it logs). */
export async function startTestServer(kind: DatabaseKind, extraEnv: Record<string, string> = {}, logger?: Logger): Promise<TestServer> {
  const db: TestDatabase = await kind.create();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'seedhost-data-'));
  const env: Record<string, string> = { DATA_DIR: dataDir, DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SYNC_INTERVAL: '1', ...extraEnv };
  const server = await startServer(loadConfig(env), logger ?? createLogger(env.LOG_LEVEL));
  const baseUrl = `http://127.0.0.1:${server.port}`;
  return {
    server, baseUrl, announceUrl: `${baseUrl}/announce`, env, dataDir,
    cli: (args, input) => runCli(env, dataDir, args, input),
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      await db.drop();
    },
  };
}

/** Registers a fresh torrent through the real command line and waits until the server tracks it; returns its info_hash. */
export async function registerViaCli(t: TestServer): Promise<string> {
  const made = makeTorrent();
  const file = path.join(t.dataDir, `${made.infoHash}.torrent`);
  writeFileSync(file, made.file);
  const r = await t.cli(['register', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), made.infoHash);
  assert.ok(await waitUntil(() => t.server.registered.has(made.infoHash)), 'the server did not pick up the registered torrent');
  return made.infoHash;
}
