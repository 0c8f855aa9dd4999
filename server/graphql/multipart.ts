// The GraphQL multipart request spec on a Node request, streaming: `operations` and `map` are
// read first, then each file part is handed to its Upload as the bytes arrive (backpressure goes
// back to the client; nothing is buffered whole or written to a temp file).
import type { IncomingMessage } from 'node:http';
import { type Readable, Transform } from 'node:stream';
import busboy from 'busboy';
import { Upload } from './upload.js';

export class MultipartError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface MultipartRequest {
  /** The operation(s) with Upload instances placed at the mapped variable paths. */
  operations: unknown;
  /** Resolves when the whole request body has been read (or rejects when it broke off). */
  done: Promise<void>;
}

function setPath(target: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = target as Record<string, unknown>;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = o?.[keys[i]];
    if (typeof next !== 'object' || next === null) throw new MultipartError(400, `map path '${path}' does not exist in operations`);
    o = next as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (o[last] !== null) throw new MultipartError(400, `map path '${path}' must point at a null variable`);
  o[last] = value;
}

// `map` and `operations` grow with the number of files: `"12345":["variables.files.12345"],` is 35
// bytes, so 1 MiB holds about 30,000 files; a higher MAX_TORRENT_FILES gets room in proportion
const MAP_BYTES_PER_FILE = 48;

/** Files parsed but not yet read by the publisher; past this the request body is read no further until one is. */
export const MAX_UNREAD_FILES = 16;

/**
 * `map` entries turned into Uploads per event-loop turn. A map of 10,000 files made in one pass
 * held the loop about 190 ms on a small VM (most of it garbage collection: every object made
 * survives); meanwhile the body is read no further and the file parts already parsed wait.
 */
export const MAP_ENTRIES_PER_TURN = 500;

/** A file part's stream as busboy hands it over. */
type FileStream = NodeJS.ReadableStream & { destroy(e?: Error): void };

/** Starts parsing; resolves once operations and map are known (files keep streaming after). */
export function parseMultipart(req: IncomingMessage, maxFiles = 10_000): Promise<MultipartRequest> {
  return new Promise((resolve, reject) => {
    let operations: unknown;
    let uploads = new Map<string, Upload>();
    let ready = false;
    let bb: busboy.Busboy;
    try {
      // filenames are UTF-8 (what browsers and FormData send), not busboy's default latin1
      bb = busboy({ headers: req.headers, preservePath: true, defParamCharset: 'utf8', limits: { fields: 2, fieldSize: Math.max(1024 * 1024, maxFiles * MAP_BYTES_PER_FILE), files: maxFiles, parts: maxFiles + 2 } });
    } catch (e) {
      reject(new MultipartError(400, (e as Error).message));
      return;
    }
    let resolveDone!: () => void;
    let rejectDone!: (e: Error) => void;
    const done = new Promise<void>((res, rej) => { resolveDone = res; rejectDone = rej; });
    done.catch(() => undefined);
    let unread = 0; // files handed to the parser's listeners and not yet read to their end
    let held: (() => void) | null = null;
    // while `map` is turned into Uploads (a few hundred entries a turn): the body is held, parts
    // parsed meanwhile wait here, and the parser's close waits for the mapping's end
    let mapping = false;
    let failed = false;
    const early: [string, busboy.FileInfo, FileStream][] = [];
    let closed = false;
    let current: FileStream | null = null;
    const failAll = (e: Error): void => {
      failed = true;
      for (const [, , stream] of early.splice(0)) stream.resume();
      current?.destroy(e); // a file being read fails too, so the publisher cleans up
      current = null;
      for (const u of uploads.values()) if (!u.settled) u.reject(e);
      if (!ready) reject(e);
      rejectDone(e);
    };
    bb.on('field', (name, value) => {
      try {
        if (name === 'operations') operations = JSON.parse(value);
        else if (name === 'map') {
          if (operations === undefined) throw new MultipartError(400, "'operations' must come before 'map'");
          const map = JSON.parse(value) as Record<string, string[]>;
          if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new MultipartError(400, "'map' must be an object");
          uploads = new Map();
          mapping = true;
          mapSlice(Object.entries(map), 0);
        }
      } catch (e) {
        fieldFailed(name, e);
      }
    });
    const fieldFailed = (name: string, e: unknown): void => {
      failAll(e instanceof MultipartError ? e : new MultipartError(400, `invalid multipart field '${name}': ${(e as Error).message}`));
      req.unpipe(gate);
      req.resume();
    };
    const mapSlice = (entries: [string, string[]][], from: number): void => {
      if (failed) return;
      try {
        const end = Math.min(entries.length, from + MAP_ENTRIES_PER_TURN);
        for (let i = from; i < end; i++) {
          const [field, paths] = entries[i];
          if (!Array.isArray(paths)) throw new MultipartError(400, `map entry '${field}' must be an array of paths`);
          const u = new Upload();
          uploads.set(field, u);
          for (const p of paths) {
            if (typeof p !== 'string') throw new MultipartError(400, `map entry '${field}' must be an array of paths`);
            setPath(operations, p, u);
          }
        }
        if (end < entries.length) {
          setImmediate(mapSlice, entries, end);
          return;
        }
      } catch (e) {
        fieldFailed('map', e);
        return;
      }
      mapping = false;
      ready = true;
      resolve({ operations, done });
      for (const [name, info, stream] of early.splice(0)) takeFile(name, stream, info);
      if (closed) onClose();
      else if (held !== null && unread < MAX_UNREAD_FILES) {
        const go = held;
        held = null;
        go();
      }
    };
    bb.on('file', (name, stream, info) => {
      unread++;
      let counted = true;
      const read = (): void => {
        if (!counted) return;
        counted = false;
        unread--;
        if (unread < MAX_UNREAD_FILES && held !== null) {
          const go = held;
          held = null;
          go();
        }
      };
      stream.once('end', read).once('close', read);
      if (mapping) early.push([name, info, stream]);
      else takeFile(name, stream, info);
    });
    const takeFile = (name: string, stream: FileStream, info: busboy.FileInfo): void => {
      const u = uploads.get(name);
      if (!ready || u === undefined || u.settled) {
        stream.resume();
        return;
      }
      current = stream;
      stream.on('end', () => { if (current === stream) current = null; });
      // failAll may destroy it before the publisher starts reading it (still staging the previous
      // file, or creating its staged file): without a listener that error would be uncaught. The
      // publisher's reader sees the error all the same.
      stream.on('error', () => undefined);
      const filename = info.filename ?? name;
      u.resolve({ filename, path: filename, mimetype: info.mimeType, stream: stream as Readable });
    };
    bb.on('filesLimit', () => failAll(new MultipartError(413, 'too many files')));
    const onClose = (): void => {
      if (!ready) failAll(new MultipartError(400, "multipart request without 'operations' and 'map'"));
      for (const [name, u] of uploads) if (!u.settled) u.reject(new MultipartError(400, `file '${name}' missing from the request`));
      resolveDone();
    };
    bb.on('close', () => {
      closed = true;
      if (!mapping) onClose();
    });
    bb.on('error', (e: Error) => failAll(new MultipartError(400, e.message)));
    req.on('aborted', () => failAll(new Error('upload aborted: the connection closed before the request ended')));
    req.on('close', () => {
      if (!req.complete) failAll(new Error('upload aborted: the connection closed before the request ended'));
    });
    // the body is parsed only as fast as the publisher takes its files: without this a body of
    // 10,000 small files is parsed in one run of the event loop (libuv reads up to 32 chunks a turn)
    const gate = new Transform({
      transform(chunk, _enc, cb) {
        if (unread < MAX_UNREAD_FILES && !mapping) cb(null, chunk);
        else held = () => cb(null, chunk);
      },
    });
    req.pipe(gate).pipe(bb);
  });
}
