// Downloads in the page with WebTorrent's browser build (npm webtorrent 3, dist/webtorrent.min.js),
// loaded on first use so the first page load stays small: from the webseed (BEP 19 over fetch) and
// from other visitors over WebRTC, introduced by seedhost's WebSocket tracker (docs/ws-tracker.md).
// One client per tab: a torrent keeps seeding while the tab stays open, whichever page it shows.

/** The parts of a WebTorrent file this UI uses. */
export interface WtFile {
  name: string; path: string; length: number; progress: number; done: boolean;
  /** Service-worker URL that streams the file (needs createServer); throws without a server. */
  readonly streamURL: string;
  blob(): Promise<Blob>;
}

/** A bittorrent-protocol wire: `type` is 'webSeed' for the webseed, 'webrtc' for another browser. */
export interface WtWire {
  type: string;
  /** Piece payload bytes received ('download') or sent ('upload') on this wire. */
  on(event: 'download' | 'upload', cb: (bytes: number) => void): void;
}

/** The parts of a WebTorrent torrent this UI uses. */
export interface WtTorrent {
  infoHash: string; files: WtFile[]; length: number; downloaded: number; uploaded: number; progress: number;
  downloadSpeed: number; uploadSpeed: number; done: boolean; ready: boolean; wires: WtWire[];
  on(event: 'wire', cb: (wire: WtWire) => void): void;
  on(event: 'ready' | 'done', cb: () => void): void;
  on(event: 'error', cb: (e: Error | string) => void): void;
  on(event: 'warning', cb: (e: Error | string) => void): void;
}

interface WtClient {
  add(torrent: Uint8Array, opts: Record<string, unknown>, onTorrent?: (t: WtTorrent) => void): WtTorrent;
  remove(infoHash: string, opts: { destroyStore: boolean }, cb?: (e?: Error) => void): void;
  createServer(opts: { controller: ServiceWorkerRegistration }): unknown;
  on(event: 'error', cb: (e: Error | string) => void): void;
}

/** A torrent of this tab and where its bytes came from and went (piece payload, verified or not; no protocol overhead). */
export interface BrowserTorrent {
  torrent: WtTorrent;
  fromPeers: number;
  fromWebseed: number;
  /** Piece bytes sent to other browsers. */
  toPeers: number;
  /** Whether files can stream through the service worker (else play from a Blob once complete). */
  streams: boolean;
  error: string | null;
}

/** The stream worker's URL (written by the build, client/webtorrent-sw.ts) and the pages it controls. */
export const STREAM_WORKER = '/webtorrent-sw.js';
export const STREAM_SCOPE = '/t/';
/** How long to wait for the stream worker to take control of the page before playing from Blobs. */
const WORKER_WAIT_MS = 5000;

let client: Promise<{ wt: WtClient; streams: boolean }> | null = null;
const torrents = new Map<string, BrowserTorrent>();

/** The tab's torrent for `infoHash`, if this tab started it. */
export const browserTorrent = (infoHash: string): BrowserTorrent | undefined => torrents.get(infoHash);

/** Registers the stream worker and waits until it controls this page; null when the browser cannot. */
async function streamWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return null;
  try {
    const reg = await navigator.serviceWorker.register(STREAM_WORKER, { scope: STREAM_SCOPE });
    const sw = navigator.serviceWorker;
    await Promise.race([
      new Promise<void>((resolve) => {
        if (sw.controller && reg.active?.state === 'activated') return resolve();
        sw.addEventListener('controllerchange', () => resolve(), { once: true });
        const w = reg.installing ?? reg.waiting ?? reg.active;
        w?.addEventListener('statechange', () => { if (w.state === 'activated' && sw.controller) resolve(); });
      }),
      new Promise((resolve) => setTimeout(resolve, WORKER_WAIT_MS)),
    ]);
    return sw.controller && reg.active ? reg : null;
  } catch {
    return null;
  }
}

async function loadClient(): Promise<{ wt: WtClient; streams: boolean }> {
  const [{ default: WebTorrent }, reg] = await Promise.all([import('webtorrent/dist/webtorrent.min.js'), streamWorker()]);
  const wt = new (WebTorrent as new () => WtClient)();
  wt.on('error', (e) => console.warn('webtorrent:', e));
  let streams = false;
  if (reg) {
    try {
      wt.createServer({ controller: reg });
      streams = true;
    } catch (e) {
      console.warn('webtorrent stream worker:', e);
    }
  }
  return { wt, streams };
}

/**
 * Starts downloading the .torrent at `torrentUrl` in this tab (or returns the running one):
 * metainfo fetched here, content from the torrent's webseed and trackers. Rejects when the
 * .torrent cannot be fetched or the browser build cannot load.
 */
export async function startBrowserTorrent(infoHash: string, torrentUrl: string): Promise<BrowserTorrent> {
  const running = torrents.get(infoHash);
  if (running) return running;
  const res = await fetch(torrentUrl);
  if (!res.ok) throw new Error(`could not fetch the .torrent (HTTP ${res.status})`);
  const metainfo = new Uint8Array(await res.arrayBuffer());
  client ??= loadClient().catch((e: unknown) => { client = null; throw e; });
  const { wt, streams } = await client;
  const again = torrents.get(infoHash); // started by a second click while loading
  if (again) return again;
  const torrent = wt.add(metainfo, { destroyStoreOnDestroy: true });
  const entry: BrowserTorrent = { torrent, fromPeers: 0, fromWebseed: 0, toPeers: 0, streams, error: null };
  torrent.on('wire', (wire) => {
    wire.on('download', (n) => {
      if (wire.type === 'webSeed') entry.fromWebseed += n;
      else entry.fromPeers += n;
    });
    wire.on('upload', (n) => { entry.toPeers += n; }); // nothing is sent to the webseed's wire
  });
  torrent.on('error', (e) => { entry.error = String(e instanceof Error ? e.message : e); });
  torrents.set(infoHash, entry);
  return entry;
}

/** Stops downloading and seeding `infoHash` in this tab and drops what it stored. */
export async function stopBrowserTorrent(infoHash: string): Promise<void> {
  if (!torrents.delete(infoHash) || !client) return;
  const { wt } = await client;
  await new Promise<void>((resolve) => wt.remove(infoHash, { destroyStore: true }, () => resolve()));
}
