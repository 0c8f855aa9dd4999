// A Vite plugin that writes `.br` (brotli, quality 11) and `.gz` (gzip -9) beside every text file
// of the build of at least MIN_BYTES, for the server to send to clients that accept them
// (server/http/spa.route.ts). Built-in zlib: compressing the build once costs about a second.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const TEXT = /\.(html|js|mjs|css|json|map|svg|txt|webmanifest|wasm)$/;
/** Smaller files gain less than the headers a compressed reply adds. */
const MIN_BYTES = 1024;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

export function precompress(outDir: string): Plugin {
  return {
    name: 'seedhost-precompress',
    apply: 'build',
    closeBundle() {
      for (const file of filesUnder(outDir).filter((f) => TEXT.test(f))) {
        const data = readFileSync(file);
        if (data.length < MIN_BYTES) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}
