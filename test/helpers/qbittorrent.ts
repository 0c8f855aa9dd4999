// Debian's qbittorrent-nox (4.5, libtorrent 2.0 inside) for e2e tests: a private profile, no DHT,
// LPD or PEX, its Web API on a free loopback port with authentication bypassed for localhost.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Daemon } from './daemon.js';
import { freePort } from './wait.js';

export interface QbTorrent {
  hash: string;
  name: string;
  state: string;
  progress: number;
  size: number;
  content_path: string;
  magnet_uri: string;
}

/** States in which qBittorrent has every wanted byte. */
const COMPLETE_STATES = new Set(['uploading', 'stalledUP', 'pausedUP', 'queuedUP', 'forcedUP', 'checkingUP']);

export class QBittorrent {
  private constructor(readonly daemon: Daemon, readonly apiUrl: string) {}

  /** Starts qbittorrent-nox with its profile in `dir`; resolves once the Web API answers. */
  static async start(dir: string): Promise<QBittorrent> {
    const config = path.join(dir, 'qBittorrent', 'config');
    mkdirSync(config, { recursive: true });
    const [webPort, peerPort] = [await freePort(), await freePort()];
    writeFileSync(path.join(config, 'qBittorrent.conf'), [
      '[LegalNotice]', 'Accepted=true', '',
      '[BitTorrent]', 'Session\\DHTEnabled=false', 'Session\\PeXEnabled=false', 'Session\\LSDEnabled=false',
      `Session\\Port=${peerPort}`, 'Session\\Interface=lo', 'Session\\InterfaceName=lo', 'Session\\QueueingSystemEnabled=false',
      `Session\\DefaultSavePath=${path.join(dir, 'downloads')}`, '',
      '[Preferences]', `WebUI\\Port=${webPort}`, 'WebUI\\Address=127.0.0.1', 'WebUI\\LocalHostAuth=false',
      'WebUI\\CSRFProtection=false', 'WebUI\\HostHeaderValidation=false', 'WebUI\\UseUPnP=false', 'Connection\\UPnP=false', '',
    ].join('\n'));
    const daemon = new Daemon('qbittorrent-nox', 'qbittorrent-nox', [`--profile=${dir}`]);
    const qb = new QBittorrent(daemon, `http://127.0.0.1:${webPort}/api/v2`);
    await daemon.ready('its Web API', 20_000, () => qb.get('/app/version'));
    return qb;
  }

  async get(p: string): Promise<string> {
    const res = await fetch(`${this.apiUrl}${p}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`qbittorrent GET ${p}: ${res.status} ${text}`);
    return text;
  }

  async post(p: string, form: Record<string, string>): Promise<string> {
    const res = await fetch(`${this.apiUrl}${p}`, { method: 'POST', body: new URLSearchParams(form) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`qbittorrent POST ${p}: ${res.status} ${text}`);
    return text;
  }

  /** Adds torrents by URL (a .torrent URL or a magnet link), saving into `savePath`. */
  async add(url: string, savePath: string): Promise<void> {
    const r = await this.post('/torrents/add', { urls: url, savepath: savePath });
    if (r.trim() !== 'Ok.') throw new Error(`qbittorrent refused to add ${url}: ${r}`);
  }

  async torrent(hash: string): Promise<QbTorrent | undefined> {
    return (JSON.parse(await this.get(`/torrents/info?hashes=${hash}`)) as QbTorrent[])[0];
  }

  /** Polls until the torrent is complete; throws with its state after `ms`. */
  async complete(hash: string, ms: number, diagnose: () => string = () => ''): Promise<QbTorrent> {
    for (const end = Date.now() + ms; ;) {
      const t = await this.torrent(hash);
      if (t !== undefined && t.progress === 1 && COMPLETE_STATES.has(t.state)) return t;
      if (this.daemon.closed || Date.now() > end || t?.state === 'error' || t?.state === 'missingFiles') {
        const trackers = t === undefined ? '' : await this.get(`/torrents/trackers?hash=${hash}`).catch(String);
        throw new Error(`qbittorrent did not complete ${hash} within ${ms} ms: ${JSON.stringify(t)}\ntrackers: ${trackers}\n${this.daemon.output()}\n${diagnose()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Peers connected to the torrent, as "ip:port" (webseeds are not peers here). */
  async peers(hash: string): Promise<string[]> {
    const r = JSON.parse(await this.get(`/sync/torrentPeers?hash=${hash}`)) as { peers?: Record<string, unknown> };
    return Object.keys(r.peers ?? {});
  }

  /** The torrent's web seeds, as qBittorrent lists them. */
  async webseeds(hash: string): Promise<string[]> {
    return (JSON.parse(await this.get(`/torrents/webseeds?hash=${hash}`)) as { url: string }[]).map((w) => w.url);
  }

  /** Asks the application to quit (it announces `stopped` and closes its files), then waits for it. */
  async close(): Promise<number | null> {
    if (this.daemon.closed) return this.daemon.exited;
    await this.post('/app/shutdown', {}).catch(() => this.daemon.child.kill('SIGTERM'));
    return this.daemon.exit(20_000);
  }
}
