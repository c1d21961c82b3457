/**
 * Students' nicknames: what a phone may call itself on the projector.
 *
 * Unicode letters and digits, spaces, `-` and `_`; 1 to 24 characters after NFC
 * normalisation and trimming (runs of spaces become one), with at least one letter or
 * digit. No punctuation that could mean something in HTML, a header or a MongoDB filter,
 * no control or bidi characters, and no invisible characters: the Hangul fillers
 * (U+3164, U+FFA0, U+115F, U+1160) are letters to Unicode but draw nothing, so a name
 * made of them would be a blank on the projector. The UI renders nicknames as text nodes
 * anyway; this keeps the projector readable.
 *
 * Two names that look the same to the room are the same name: `lookalikeKeys` gives the
 * UTS #39 skeletons the registry compares ("bоb" with a Cyrillic о, the fullwidth "ｂｏｂ"
 * and "BOB" are all "bob").
 */
import unhomoglyph from 'unhomoglyph';

export const NICKNAME_MAX_CHARS = 24;
// \p{L} and \p{N} per the issue; combining marks (\p{M}) are left out because the lab's
// forwarder tags requests with the same character classes (server/lab/routes/forward.ts).
const NICKNAME_CHARS = /^[\p{L}\p{N} _-]+$/u;
/** Characters that render as nothing (the Hangul fillers, joiners, variation selectors ...). */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const VISIBLE_LETTER = /[\p{L}\p{N}]/u;

export type NicknameResult = { ok: true; nickname: string } | { ok: false; message: string };

export function parseNickname(raw: unknown): NicknameResult {
  if (typeof raw !== 'string') return { ok: false, message: 'nickname must be a string' };
  // Bound the work before normalising: a megabyte of text is not a nickname.
  if (raw.length > NICKNAME_MAX_CHARS * 8)
    return { ok: false, message: `nickname must be at most ${NICKNAME_MAX_CHARS} characters` };
  const nickname = raw.normalize('NFC').trim().replace(/ {2,}/g, ' ');
  const length = [...nickname].length;
  if (length === 0) return { ok: false, message: 'nickname must not be empty' };
  if (length > NICKNAME_MAX_CHARS)
    return { ok: false, message: `nickname must be at most ${NICKNAME_MAX_CHARS} characters (this one has ${length})` };
  if (!NICKNAME_CHARS.test(nickname))
    return { ok: false, message: 'nickname may only use letters, digits, spaces, - and _' };
  if (INVISIBLE.test(nickname))
    return { ok: false, message: 'nickname must not contain invisible characters: the room could not read it' };
  if (!VISIBLE_LETTER.test(nickname)) return { ok: false, message: 'nickname needs at least one letter or digit' };
  return { ok: true, nickname };
}

/**
 * The UTS #39 skeleton: NFD, each character replaced by its prototype in Unicode's
 * confusables.txt (the `unhomoglyph` package carries that table), NFD again. NFKC first
 * folds compatibility forms (fullwidth letters, ligatures) that the table leaves alone.
 */
function skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFKC').normalize('NFD')).normalize('NFD');
}

/**
 * The keys under which a nickname collides with present names. Two: the skeleton of the
 * lower-cased name (so case never tells two names apart, "Ada" = "ADA") and the lower-cased
 * skeleton of the name as typed (the table maps capital I to l, so "Ian" = "lan" as a
 * projector's sans-serif shows them). A name collides when it shares either key.
 */
export function lookalikeKeys(nickname: string): string[] {
  const keys = new Set([skeleton(nickname.toLocaleLowerCase('und')), skeleton(nickname).toLocaleLowerCase('und')]);
  return [...keys];
}

/** Two nicknames that look the same to the room are the same nickname. */
export function nicknameKey(nickname: string): string {
  return lookalikeKeys(nickname)[0]!;
}
