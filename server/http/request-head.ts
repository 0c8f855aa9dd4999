// Reads an HTTP/1.x request head for the tracker fast path. Only plain GETs of /announce and
// /scrape qualify; anything else (other routes, bodies, upgrades, odd syntax) is left to Node's
// http parser by returning null.

export interface TrackerRequestHead {
  path: '/announce' | '/scrape';
  /** Raw query string without `?`. */
  query: string;
  keepAlive: boolean;
  /** X-Forwarded-For as sent (several headers joined with ','). */
  xff: string | undefined;
}

const GET_ANNOUNCE = 'GET /announce';
const GET_SCRAPE = 'GET /scrape';

/** Parses head = the bytes before the blank line (latin1). Returns null unless it is a plain tracker GET. */
export function parseTrackerHead(head: string): TrackerRequestHead | null {
  let lineEnd = head.indexOf('\r\n');
  if (lineEnd === -1) lineEnd = head.length;
  let path: '/announce' | '/scrape';
  let t: number;
  if (head.startsWith(GET_ANNOUNCE)) { path = '/announce'; t = GET_ANNOUNCE.length; }
  else if (head.startsWith(GET_SCRAPE)) { path = '/scrape'; t = GET_SCRAPE.length; }
  else return null;
  const sp = head.lastIndexOf(' ', lineEnd);
  const version = head.slice(sp + 1, lineEnd);
  if (sp < t || (version !== 'HTTP/1.1' && version !== 'HTTP/1.0')) return null;
  let query = '';
  if (sp > t) {
    if (head.charCodeAt(t) !== 63) return null; // '?': anything else is another path
    query = head.slice(t + 1, sp);
    if (query.indexOf(' ') !== -1) return null;
  }
  let keepAlive = version === 'HTTP/1.1';
  let xff: string | undefined;
  let i = lineEnd + 2;
  while (i < head.length) {
    let e = head.indexOf('\r\n', i);
    if (e === -1) e = head.length;
    const colon = head.indexOf(':', i);
    if (colon === -1 || colon > e || colon === i) return null;
    const c0 = head.charCodeAt(i) | 32;
    const nameLen = colon - i;
    // only headers that change what we do are read; the first letter filters cheaply
    if (c0 === 99 || c0 === 116 || c0 === 120 || c0 === 117 || c0 === 101) {
      const name = head.slice(i, colon).toLowerCase();
      const value = head.slice(colon + 1, e).trim();
      if (name === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
        if (v.includes('upgrade')) return null;
      } else if (name === 'content-length') {
        if (value !== '0') return null;
      } else if (name === 'transfer-encoding' || name === 'upgrade' || name === 'expect') {
        return null;
      } else if (name === 'x-forwarded-for') {
        xff = xff === undefined ? value : `${xff},${value}`;
      }
    } else if (nameLen === 0 || head.charCodeAt(i) === 32 || head.charCodeAt(i) === 9) {
      return null; // obsolete line folding
    }
    i = e + 2;
  }
  return { path, query, keepAlive, xff };
}
