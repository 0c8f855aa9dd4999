// Loads one of the native addons (built by scripts/build-native.mjs into <dir>/build/Release), or
// says why it cannot: not built here (not Linux, no compiler at install), or built for another Node.
import { createRequire } from 'node:module';

export interface Loaded<T> {
  addon: T | null;
  /** Why addon is null (undefined when it loaded). */
  error?: string;
}

/** `file`: the addon's path from the package root, e.g. 'server/udp/native/build/Release/udp_batch.node'. */
export function loadAddon<T>(file: string): Loaded<T> {
  try {
    // from dist/server/native/ (or server/native/ under a TypeScript runner) to the package root
    const root = new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url);
    return { addon: createRequire(import.meta.url)(new URL(file, root).pathname) as T };
  } catch (e) {
    return { addon: null, error: (e as Error).message.split('\n')[0] };
  }
}
