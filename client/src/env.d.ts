declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

// WebTorrent's prebuilt browser bundle (ESM, no types): client/src/lib/browser-torrent.ts types what it uses
declare module 'webtorrent/dist/webtorrent.min.js' {
  const WebTorrent: unknown;
  export default WebTorrent;
}
