// What a browser is told about a webseed file: its media type from the name's extension (so a
// video plays and a text shows from the link) and how to present it. A publisher's HTML, SVG or
// XML must never run as this server's origin (where the web UI keeps its sign-in): those go out as
// attachments, and every webseed reply also carries `Content-Security-Policy: sandbox` (webseed.route.ts).
import mime from 'mime-types';

/**
 * The Content-Type for a file named `path` (by its extension); application/octet-stream when
 * unknown. No `charset`: the bytes are the publisher's and their encoding is not known here;
 * browsers detect an unlabeled text's encoding (a BOM first), where a wrong label would garble it.
 */
export function contentTypeOf(path: string): string {
  return mime.lookup(path) || 'application/octet-stream';
}

/** True for types a browser renders as a document that can run script: HTML, XHTML, SVG, any XML. */
export function isActiveType(type: string): boolean {
  return type === 'text/html' || /(^|\/|\+)xml$/.test(type);
}

/** A Content-Disposition value naming `filename` (RFC 6266: ASCII fallback plus RFC 8187 UTF-8). */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  // encodeURIComponent leaves ' ( ) * as they are, which RFC 8187's attr-char does not allow
  const utf8 = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
