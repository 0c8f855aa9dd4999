// The real server as a child process (dist/server/main.js), for tests of start-up, signals and
// several instances side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './test-server.js';

export const MAIN = path.join(REPO_ROOT, 'dist/server/main.js');

export interface ServerProcess {
  child: ChildProcess;
  /** The port from the 'seedhost listening' log line (rejects if the process exits first). */
  port: Promise<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; stderr: string }>;
  /** Every stdout line so far (pino JSON). */
  lines: string[];
}

/** Spawns the server with `env` added to this process's environment; `listening` names the log line that carries the port. */
export function spawnServer(env: Record<string, string>, listening = 'seedhost listening'): ServerProcess {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const lines: string[] = [];
  child.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; stderr: string }>((resolve) => {
    let t0 = 0;
    child.on('spawn', () => { t0 = Date.now(); });
    child.on('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - t0, stderr }));
  });
  const port = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      try {
        const j = JSON.parse(line);
        if (j.msg === listening) resolve(j.port);
      } catch { /* not JSON */ }
    });
    void exited.then((e) => reject(new Error(`server exited ${e.code ?? e.signal}: ${e.stderr}`)));
  });
  port.catch(() => undefined); // awaited only by tests that expect a start
  return { child, port, exited, lines };
}

/** Sends `signal` (SIGTERM by default) and waits for the exit. */
export async function stopServer(s: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill(signal);
  await s.exited;
}
