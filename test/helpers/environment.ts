// What a test needs from the machine: Debian tools and server URLs. Missing ones skip the test
// with a line saying what to install, except under CI=true, where a missing one fails.
import { execFileSync } from 'node:child_process';
import net from 'node:net';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** true when `cmd` is on PATH. */
export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns a skip reason (for `it(..., { skip })`) when the check fails, or false. Under CI a
 * failing check throws instead, so nothing is silently skipped there.
 */
export function needs(ok: boolean, what: string): string | false {
  if (ok) return false;
  if (IN_CI) throw new Error(`CI requires ${what}, but it is missing`);
  const msg = `skipped: needs ${what}`;
  process.stdout.write(`# ${msg}\n`);
  return msg;
}

/** Debian's python3 with python3-libtorrent importable (pyenv's python3 may shadow it). */
export function libtorrentPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(py, ['-c', 'import libtorrent'], { stdio: 'ignore' });
      return py;
    } catch { /* try the next */ }
  }
  return null;
}

/** True when this machine can listen on the IPv6 loopback address (::1). */
export function hasLoopback6(): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.createServer().listen(0, '::1', () => s.close(() => resolve(true))).on('error', () => resolve(false));
  });
}
