// Links to the server's own files as same-origin paths: the page is served by that server, and
// PUBLIC_URL (written into .torrent files) may name another host or port (a proxy, a test on port 0).

/** The path, query and hash of an absolute URL ("http://h:1/torrents/x.torrent" → "/torrents/x.torrent"); other strings unchanged. */
export function localPath(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(url);
  if (!m) return url;
  return m[1] === '' ? '/' : m[1].startsWith('/') ? m[1] : `/${m[1]}`;
}
