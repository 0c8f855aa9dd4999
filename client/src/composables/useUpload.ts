// Publishes files through `uploadTorrent` as a GraphQL multipart request over XMLHttpRequest,
// whose upload progress events drive the progress bar (fetch has no upload progress).
import { computed, ref, shallowRef } from 'vue';
import { UPLOAD_TORRENT_TEXT } from '../graphql/documents';
import { existingTorrent, friendlyError, type ServerErrorLike } from '../lib/errors';
import { multipartFields, type UploadPlan } from '../lib/upload-files';
import { addSample, progressView, type ProgressSample } from '../lib/upload-progress';
import { clearSession, currentToken } from './useAuth';

export type UploadPhase = 'idle' | 'sending' | 'finishing' | 'done' | 'failed' | 'cancelled';

export function useUpload() {
  const phase = ref<UploadPhase>('idle');
  const samples = shallowRef<ProgressSample[]>([]);
  const total = ref(0);
  const error = ref<string | null>(null);
  /** Why the last upload failed: 'NETWORK' (no reply read), a GraphQL error code, or null. */
  const failCode = ref<string | null>(null);
  /** The torrent a refused duplicate already is (its info_hash), or null. */
  const existing = ref<string | null>(null);
  const progress = computed(() => progressView(samples.value, total.value));
  let xhr: XMLHttpRequest | null = null;

  /** Sends the plan (format: V1, V2 or HYBRID, as the TorrentFormat enum; null: the server's TORRENT_FORMAT); resolves with the new torrent, or null when it failed or was cancelled. */
  function start(plan: UploadPlan<File>, description: string, format: string | null = null): Promise<{ infoHash: string; name: string } | null> {
    const { operations, map } = multipartFields(UPLOAD_TORRENT_TEXT, { name: plan.name || null, description: description.trim() || null, totalSize: plan.totalSize, format }, plan.files.length);
    const body = new FormData();
    body.append('operations', operations);
    body.append('map', map);
    plan.files.forEach((f, i) => body.append(String(i), f.file, f.path));

    phase.value = 'sending';
    error.value = null;
    failCode.value = null;
    existing.value = null;
    total.value = plan.totalSize;
    samples.value = [{ at: performance.now(), loaded: 0 }];
    const req = new XMLHttpRequest();
    xhr = req;
    return new Promise((resolve) => {
      const fail = (message: string, code: string | null): void => {
        phase.value = 'failed';
        error.value = message;
        failCode.value = code;
        resolve(null);
      };
      req.upload.onprogress = (e) => {
        // e.total counts the multipart framing too; scale to the files' bytes for the display
        const loaded = e.lengthComputable && e.total > 0 ? Math.round((e.loaded / e.total) * plan.totalSize) : e.loaded;
        samples.value = addSample(samples.value, { at: performance.now(), loaded });
      };
      req.upload.onload = () => {
        samples.value = addSample(samples.value, { at: performance.now(), loaded: plan.totalSize });
        phase.value = 'finishing';
      };
      req.onabort = () => {
        phase.value = 'cancelled';
        resolve(null);
      };
      req.onerror = () => fail(friendlyError(null, true), 'NETWORK');
      req.onload = () => {
        let reply: { data?: { uploadTorrent?: { infoHash: string; name: string } } | null; errors?: ServerErrorLike[] } | null = null;
        try {
          reply = JSON.parse(req.responseText);
        } catch { /* not JSON: a proxy's error page */ }
        const err = reply?.errors?.[0];
        if (err?.extensions?.code === 'UNAUTHENTICATED') clearSession();
        existing.value = existingTorrent(err);
        if (existing.value) return fail('These files are published already as another torrent.', 'CONFLICT');
        if (err) return fail(friendlyError(err), typeof err.extensions?.code === 'string' ? err.extensions.code : null);
        const t = reply?.data?.uploadTorrent;
        if (!t) return req.status === 413 ? fail(friendlyError({ message: '', extensions: { code: 'PAYLOAD_TOO_LARGE' } }), 'PAYLOAD_TOO_LARGE') : fail(friendlyError(null), null);
        phase.value = 'done';
        resolve(t);
      };
      req.open('POST', '/graphql');
      req.setRequestHeader('apollo-require-preflight', 'true');
      const token = currentToken();
      if (token) req.setRequestHeader('Authorization', `Bearer ${token}`);
      req.send(body);
    });
  }

  function cancel(): void {
    xhr?.abort();
  }

  return { phase, progress, error, failCode, existing, start, cancel };
}
