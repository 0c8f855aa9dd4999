// Magnet links (BEP 9): exact topic, display name, tracker, webseed (BEP 19 `ws`) and length.

export interface MagnetInput {
  infoHash: string;
  name: string;
  totalSize: number;
  announce: string;
  webseed?: string;
}

/** magnet:?xt=urn:btih:<hex>&dn=...&xl=...&tr=...&ws=... */
export function magnetUri(m: MagnetInput): string {
  let s = `magnet:?xt=urn:btih:${m.infoHash}&dn=${encodeURIComponent(m.name)}&xl=${m.totalSize}&tr=${encodeURIComponent(m.announce)}`;
  if (m.webseed !== undefined) s += `&ws=${encodeURIComponent(m.webseed)}`;
  return s;
}
