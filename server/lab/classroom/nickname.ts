/**
 * Students' nicknames: what a phone may call itself on the projector.
 *
 * Unicode letters and digits, spaces, `-` and `_`; 1 to 24 characters after NFC
 * normalisation and trimming (runs of spaces become one). No punctuation that could
 * mean something in HTML, a header or a MongoDB filter, no control or bidi characters.
 * The UI renders nicknames as text nodes anyway; this keeps the projector readable.
 */
export const NICKNAME_MAX_CHARS = 24;
// \p{L} and \p{N} per the issue; combining marks (\p{M}) are left out because the lab's
// forwarder tags requests with the same character classes (server/lab/routes/forward.ts).
const NICKNAME_CHARS = /^[\p{L}\p{N} _-]+$/u;

export type NicknameResult = { ok: true; nickname: string } | { ok: false; message: string };

export function parseNickname(raw: unknown): NicknameResult {
  if (typeof raw !== 'string') return { ok: false, message: 'nickname must be a string' };
  // Bound the work before normalising: a megabyte of text is not a nickname.
  if (raw.length > NICKNAME_MAX_CHARS * 8) return { ok: false, message: `nickname must be at most ${NICKNAME_MAX_CHARS} characters` };
  const nickname = raw.normalize('NFC').trim().replace(/ {2,}/g, ' ');
  const length = [...nickname].length;
  if (length === 0) return { ok: false, message: 'nickname must not be empty' };
  if (length > NICKNAME_MAX_CHARS) return { ok: false, message: `nickname must be at most ${NICKNAME_MAX_CHARS} characters (this one has ${length})` };
  if (!NICKNAME_CHARS.test(nickname)) return { ok: false, message: 'nickname may only use letters, digits, spaces, - and _' };
  return { ok: true, nickname };
}

/** Two nicknames that look the same to the room are the same nickname. */
export function nicknameKey(nickname: string): string {
  return nickname.normalize('NFC').toLocaleLowerCase('und');
}
