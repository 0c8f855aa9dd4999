// "Download in browser" on a torrent's page: starts (or finds) this tab's WebTorrent download of
// the torrent and samples its figures twice a second while the page shows it.
import { onBeforeUnmount, ref, shallowRef, watch } from 'vue';
import { browserTorrent, startBrowserTorrent, stopBrowserTorrent, type BrowserTorrent, type WtFile } from '../lib/browser-torrent';

/** What the panel shows; bytes are payload bytes. */
export interface BrowserDownloadView {
  phase: 'downloading' | 'seeding' | 'failed';
  /** 0..1 of the whole torrent. */
  progress: number; downloaded: number; total: number;
  /** Bytes per second. */
  downloadSpeed: number; uploadSpeed: number;
  /** Other browsers connected (the webseed not counted). */
  peers: number;
  fromPeers: number; fromWebseed: number; toPeers: number;
  streams: boolean;
  error: string | null;
  files: BrowserFileView[];
}

/** One file of the download; `file` is WebTorrent's, to save or play. */
export interface BrowserFileView { path: string; length: number; progress: number; done: boolean; file: WtFile }

const SAMPLE_MS = 500;

function viewOf(b: BrowserTorrent): BrowserDownloadView {
  const t = b.torrent;
  return {
    phase: b.error ? 'failed' : t.done ? 'seeding' : 'downloading',
    progress: t.progress, downloaded: t.downloaded, total: t.length,
    downloadSpeed: t.downloadSpeed, uploadSpeed: t.uploadSpeed,
    peers: t.wires.filter((w) => w.type !== 'webSeed').length,
    fromPeers: b.fromPeers, fromWebseed: b.fromWebseed, toPeers: b.toPeers, streams: b.streams, error: b.error,
    files: t.ready ? t.files.map((f) => ({ path: f.path, length: f.length, progress: f.progress, done: f.done, file: f })) : [],
  };
}

/** `infoHash` and `torrentUrl` of the torrent shown; `start()` begins, `stop()` ends it in this tab. */
export function useBrowserDownload(infoHash: () => string, torrentUrl: () => string) {
  const view = shallowRef<BrowserDownloadView | null>(null);
  const starting = ref(false);
  const error = ref<string | null>(null);
  let timer: ReturnType<typeof setInterval> | undefined;

  function sample(): void {
    const b = browserTorrent(infoHash());
    view.value = b ? viewOf(b) : null;
  }
  function follow(): void {
    clearInterval(timer);
    sample();
    if (browserTorrent(infoHash())) timer = setInterval(sample, SAMPLE_MS);
  }

  async function start(): Promise<void> {
    starting.value = true;
    error.value = null;
    try {
      await startBrowserTorrent(infoHash(), torrentUrl());
      follow();
    } catch (e) {
      error.value = `Could not start the download in this browser: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      starting.value = false;
    }
  }
  async function stop(): Promise<void> {
    clearInterval(timer);
    await stopBrowserTorrent(infoHash());
    follow();
  }

  watch(infoHash, follow, { immediate: true });
  onBeforeUnmount(() => clearInterval(timer));
  return { view, starting, error, start, stop };
}
