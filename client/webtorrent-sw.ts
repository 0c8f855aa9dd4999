// A Vite plugin that writes WebTorrent's service worker (npm webtorrent, dist/sw.min.js) to the root
// of the build as /webtorrent-sw.js, where the torrent page registers it (scope /t/) to stream
// files to <audio>/<video> while they download (client/src/lib/browser-torrent.ts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

export function webtorrentWorker(): Plugin {
  return {
    name: 'seedhost-webtorrent-sw',
    apply: 'build',
    generateBundle() {
      const file = createRequire(import.meta.url).resolve('webtorrent/dist/sw.min.js');
      // without its source map comment: the map is not shipped
      const source = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
      this.emitFile({ type: 'asset', fileName: 'webtorrent-sw.js', source });
    },
  };
}
