// Content negotiation for precompressed static files (RFC 9110 §12.5.3): which of the encodings a
// request's Accept-Encoding allows, preferring brotli to gzip when both are allowed.

export type PrecompressedEncoding = 'br' | 'gzip';

/** The encodings `header` accepts (q > 0), brotli first; [] when absent (identity only). */
export function acceptedEncodings(header: string | undefined): PrecompressedEncoding[] {
  if (header === undefined || header.length > 1024) return [];
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name === '') continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qp === undefined ? 1 : Number(qp.slice(2));
    q.set(name.trim(), Number.isFinite(value) ? value : 0);
  }
  const star = q.get('*');
  const allowed = (e: string): boolean => (q.get(e) ?? (e === 'gzip' ? q.get('x-gzip') : undefined) ?? star ?? 0) > 0;
  return (['br', 'gzip'] as const).filter(allowed);
}
