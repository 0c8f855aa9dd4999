// Vite build of the web UI into client/dist/ (served by the server at /: server/http/content.routes.ts).
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { precompress } from './precompress';
import { webtorrentWorker } from './webtorrent-sw';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [vue(), webtorrentWorker(), precompress(fileURLToPath(new URL('dist', import.meta.url)))],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 400 },
  server: {
    // `npm run dev:client` against a server on :8080
    proxy: { '/graphql': { target: 'http://localhost:8080', ws: true }, '/torrents': 'http://localhost:8080', '/webseed': 'http://localhost:8080' },
  },
});
