// A small file system that clones files (reflinks: XFS, btrfs) in a loop-mounted image, for tests of
// copy-on-write storage and of a full disk. Needs root, the file system's mkfs (Debian xfsprogs,
// btrfs-progs) and loop devices.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasCommand } from './environment.js';

export type ReflinkFsKind = 'xfs' | 'btrfs';

export interface ReflinkFs {
  /** The mounted file system's root. */
  dir: string;
  unmount(): void;
}

const MKFS: Record<ReflinkFsKind, { command: string; args: string[]; pkg: string }> = {
  xfs: { command: 'mkfs.xfs', args: ['-q', '-m', 'reflink=1'], pkg: 'xfsprogs' },
  btrfs: { command: 'mkfs.btrfs', args: ['-q'], pkg: 'btrfs-progs' },
};

/** Why such a file system cannot be made here, or null when it can be tried. */
export function reflinkFsMissing(kind: ReflinkFsKind = 'xfs'): string | null {
  if (process.getuid?.() !== 0) return `root (to loop-mount a ${kind} image)`;
  if (!hasCommand(MKFS[kind].command)) return `${MKFS[kind].command} (apt-get install ${MKFS[kind].pkg})`;
  return null;
}

/** Makes and mounts a fresh image of `mb` MiB (XFS with reflink on, or btrfs: both clone files). */
export function mountReflinkFs(mb = 512, kind: ReflinkFsKind = 'xfs'): ReflinkFs {
  const base = mkdtempSync(path.join(tmpdir(), `seedhost-${kind}-`));
  const image = path.join(base, `${kind}.img`);
  const dir = path.join(base, 'mnt');
  mkdirSync(dir);
  execFileSync('truncate', ['-s', `${mb}M`, image]);
  execFileSync(MKFS[kind].command, [...MKFS[kind].args, image]);
  execFileSync('mount', ['-o', 'loop', image, dir]);
  return {
    dir,
    unmount() {
      execFileSync('umount', [dir]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
