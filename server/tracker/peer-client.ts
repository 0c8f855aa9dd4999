// Names the client behind a peer_id (Azureus-style `-XXvvvv-`, as most clients send it).

const CLIENTS: Record<string, string> = {
  qB: 'qBittorrent', TR: 'Transmission', DE: 'Deluge', LT: 'libtorrent', lt: 'rTorrent', UT: 'µTorrent', UM: 'µTorrent Mac',
  AZ: 'Vuze', BT: 'BitTorrent', WW: 'WebTorrent', WD: 'WebTorrent Desktop', BC: 'BitComet', FD: 'Free Download Manager',
  KT: 'KTorrent', TX: 'Tixati', PI: 'PicoTorrent', BI: 'BiglyBT', FX: 'Flud', AG: 'Ares', SD: 'Thunder', XL: 'Xunlei',
};

/** "qBittorrent 4.6.5" for `-qB4650-...`; aria2 and unknown ids get their best guess or "unknown". */
export function clientName(peerId: Buffer): string {
  const s = peerId.toString('latin1');
  const m = /^-([A-Za-z~]{2})([0-9A-Za-z]{4})-/.exec(s);
  if (m !== null) {
    const name = CLIENTS[m[1]] ?? m[1];
    const v = m[2];
    const version = /^\d+$/.test(v) ? `${v[0]}.${v[1]}.${v[2]}${v[3] === '0' ? '' : `.${v[3]}`}` : v;
    return `${name} ${version}`;
  }
  const aria = /^A2-(\d+)-(\d+)-(\d+)-/.exec(s);
  if (aria !== null) return `aria2 ${aria[1]}.${aria[2]}.${aria[3]}`;
  return 'unknown';
}
