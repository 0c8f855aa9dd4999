// Which files the page may play: audio or video by file extension, with the MIME type to ask the
// browser about (canPlayType). Plain function without DOM access, so node --test covers it.

const AUDIO: Record<string, string> = {
  mp3: 'audio/mpeg', m4a: 'audio/mp4', aac: 'audio/aac', ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/ogg; codecs=opus',
  wav: 'audio/wav', flac: 'audio/flac', weba: 'audio/webm',
};
const VIDEO: Record<string, string> = { mp4: 'video/mp4', m4v: 'video/mp4', webm: 'video/webm', ogv: 'video/ogg', mov: 'video/quicktime', mkv: 'video/x-matroska' };

/** 'audio' or 'video' when a file of this name is media of that kind, else null (no DOM access). */
export function mediaKindOf(name: string): { kind: 'audio' | 'video'; type: string } | null {
  const dot = name.lastIndexOf('.');
  if (dot === -1 || dot < name.lastIndexOf('/')) return null;
  const ext = name.slice(dot + 1).toLowerCase();
  if (AUDIO[ext]) return { kind: 'audio', type: AUDIO[ext] };
  if (VIDEO[ext]) return { kind: 'video', type: VIDEO[ext] };
  return null;
}

