// The server's input limits (Query.limits) and the checks the browser makes with them before
// sending anything, so that a refusal is said in words rather than after a long upload.
import { formatBytes } from './format';

export interface ServerLimits {
  /** null: no limit. */
  maxUploadBytes: number | null;
  maxTorrentFiles: number;
  maxTorrentFileBytes: number;
  maxNameBytes: number;
  maxDescriptionLength: number;
  maxSearchLength: number;
}

const utf8 = new TextEncoder();
const count = (n: number): string => n.toLocaleString('en-US');

/** Why the server would refuse this upload, in one sentence, or null when it fits the limits. */
export function uploadProblem(plan: { name: string; files: unknown[]; totalSize: number }, description: string, limits: ServerLimits | null | undefined): string | null {
  if (!limits) return null;
  if (limits.maxUploadBytes !== null && plan.totalSize > limits.maxUploadBytes) {
    return `These files come to ${formatBytes(plan.totalSize)}; this server accepts at most ${formatBytes(limits.maxUploadBytes)} per upload.`;
  }
  if (plan.files.length > limits.maxTorrentFiles) {
    return `That is ${count(plan.files.length)} files; a torrent on this server may have at most ${count(limits.maxTorrentFiles)}.`;
  }
  if (utf8.encode(plan.name).length > limits.maxNameBytes) return `The name is too long: at most ${limits.maxNameBytes} bytes (letters outside ASCII take 2 to 4).`;
  if (description.length > limits.maxDescriptionLength) return `The description is too long: at most ${count(limits.maxDescriptionLength)} characters.`;
  return null;
}

/** Why the server would refuse this .torrent file for registering, or null. */
export function torrentFileProblem(size: number, limits: ServerLimits | null | undefined): string | null {
  if (!limits || size <= limits.maxTorrentFileBytes) return null;
  return `That .torrent file is ${formatBytes(size)}; this server reads .torrent files of at most ${formatBytes(limits.maxTorrentFileBytes)}.`;
}

/** The limits line shown above an upload ("Up to 2.00 GiB and 20,000 files per torrent."). */
export function limitsSummary(limits: ServerLimits | null | undefined): string | null {
  if (!limits) return null;
  const size = limits.maxUploadBytes === null ? 'Any size' : `Up to ${formatBytes(limits.maxUploadBytes)}`;
  return `${size} and ${count(limits.maxTorrentFiles)} files per torrent.`;
}
