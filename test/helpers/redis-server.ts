// A private redis-server child process on its own port, for tests that stop and restart Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { hasCommand, needs } from './environment.js';

/** Skip reason for tests that run their own redis-server (throws under CI when it is missing). */
export const redisServerSkip = (): string | false => needs(hasCommand('redis-server'), 'redis-server (Debian package redis-server)');

/** Starts redis-server on `port` (nothing kept on disk; `extra` options appended); resolves once it accepts connections. */
export async function startRedisServer(port: number, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (c) => { out += c; });
  for (let i = 0; !out.includes('Ready to accept connections'); i++) {
    if (i > 100 || child.exitCode !== null) throw new Error(`redis-server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

/** Kills it at once (as a crash would) and waits for the process to end. */
export async function killRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}
