// A small XFS file system (which clones files: reflinks) in a loop-mounted image, for tests of
// copy-on-write storage. Needs root, mkfs.xfs (Debian xfsprogs) and loop devices.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasCommand } from './environment.js';

export interface ReflinkFs {
  /** The mounted file system's root. */
  dir: string;
  unmount(): void;
}

/** Why such a file system cannot be made here, or null when it can be tried. */
export function reflinkFsMissing(): string | null {
  if (process.getuid?.() !== 0) return 'root (to loop-mount an XFS image)';
  if (!hasCommand('mkfs.xfs')) return 'mkfs.xfs (apt-get install xfsprogs)';
  return null;
}

/** Makes and mounts a fresh XFS image of `mb` MiB (reflink is on by default in mkfs.xfs). */
export function mountReflinkFs(mb = 512): ReflinkFs {
  const base = mkdtempSync(path.join(tmpdir(), 'seedhost-xfs-'));
  const image = path.join(base, 'xfs.img');
  const dir = path.join(base, 'mnt');
  mkdirSync(dir);
  execFileSync('truncate', ['-s', `${mb}M`, image]);
  execFileSync('mkfs.xfs', ['-q', '-m', 'reflink=1', image]);
  execFileSync('mount', ['-o', 'loop', image, dir]);
  return {
    dir,
    unmount() {
      execFileSync('umount', [dir]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
