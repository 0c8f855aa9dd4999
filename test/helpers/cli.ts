// The real `seedhost` command line in a child process, for e2e tests.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
export const CLI = path.join(REPO_ROOT, 'bin/seedhost.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `seedhost args...` with `env` over this process's environment, in `cwd`; `input` goes to its stdin. */
export async function runCli(env: Record<string, string>, cwd: string, args: string[], input?: string): Promise<CliResult> {
  const child = run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, cwd });
  child.child.stdin?.end(input);
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
