// A real seedhost server for e2e tests: in this process, port 0, a fresh data dir and database.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer, type RunningServer } from '../../server/main.js';
import type { DatabaseKind, TestDatabase } from './databases.js';

const run = promisify(execFile);
export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
export const CLI = path.join(REPO_ROOT, 'bin/seedhost.js');

export interface TestServer {
  server: RunningServer;
  baseUrl: string;
  announceUrl: string;
  env: Record<string, string>;
  dataDir: string;
  /** Runs the real command line against this server's database. */
  cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

/** Starts a server on `kind`'s fresh database; extra env overrides settings (e.g. PEER_TIMEOUT). */
export async function startTestServer(kind: DatabaseKind, extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const db: TestDatabase = await kind.create();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'seedhost-data-'));
  const env: Record<string, string> = { DATA_DIR: dataDir, DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SYNC_INTERVAL: '1', ...extraEnv };
  const server = await startServer(loadConfig(env), createLogger(env.LOG_LEVEL));
  const baseUrl = `http://127.0.0.1:${server.port}`;
  return {
    server, baseUrl, announceUrl: `${baseUrl}/announce`, env, dataDir,
    async cli(args, input) {
      const child = run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, cwd: dataDir });
      if (input !== undefined) {
        child.child.stdin?.end(input);
      } else child.child.stdin?.end();
      try {
        const { stdout, stderr } = await child;
        return { code: 0, stdout, stderr };
      } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string };
        return { code: err.code, stdout: err.stdout, stderr: err.stderr };
      }
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      await db.drop();
    },
  };
}
