#!/usr/bin/env node
// `npx seedhost <command>`: runs the built command line (npm install builds it; npm run build rebuilds).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/server/cli/entry.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('seedhost: not built yet; run `npm run build` first\n');
  process.exit(1);
}
await import(entry.href);
