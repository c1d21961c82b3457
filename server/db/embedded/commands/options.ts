/**
 * Command options this server honours, ignores because they cannot change a standalone
 * in-memory server's answer, or refuses: an option it would otherwise drop silently is an
 * error naming it (CommandNotSupported), and one mongod does not know is mongod's 40415.
 */
import type { Document } from 'bson';
import { type Collator, isPlainObject } from '../bson/compare';
import { isNumeric, toNumber } from '../bson/numbers';
import { CommandError } from '../errors';
import { evaluate } from '../query/expressions';
import type { Collection } from '../store';

/** Fields any command may carry: sessions, cluster time, API version, read/write concern. */
const GENERIC = [
  '$db',
  'lsid',
  '$clusterTime',
  '$readPreference',
  'readConcern',
  'writeConcern',
  'comment',
  'maxTimeMS',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  '$client',
  'txnNumber',
  'startTransaction',
  'autocommit',
];

export function checkFields(cmd: Document, command: string, allowed: string[]): void {
  for (const key of Object.keys(cmd).slice(1)) {
    if (!allowed.includes(key) && !GENERIC.includes(key))
      throw new CommandError('Location40415', `BSON field '${command}.${key}' is an unknown field.`);
  }
}

/** Options mongod knows that this server does not implement: refused when set to anything but their default. */
export function refuseUnsupported(doc: Document, command: string, names: string[]): void {
  for (const name of names) {
    const value = doc[name];
    if (value === undefined || value === null || value === false) continue;
    throw new CommandError(
      'CommandNotSupported',
      `the '${name}' option of ${command} is not supported by the embedded server`,
    );
  }
}

const COLLATION_FIELDS = [
  'locale',
  'strength',
  'caseLevel',
  'caseFirst',
  'numericOrdering',
  'alternate',
  'maxVariable',
  'normalization',
  'backwards',
  'version',
];

/** Folds a string to a key equal for strings the collation treats as equal at this strength. */
function folder(strength: number): (s: string) => string {
  if (strength === 1) return (s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().normalize('NFC');
  if (strength === 2) return (s) => s.normalize('NFC').toLowerCase();
  return (s) => s.normalize('NFC');
}

/**
 * A command's (or statement's) collation: undefined for none or {locale: 'simple'}, else a
 * collator for strengths 1-3 and 5 on the ICU locales Node knows. Options that would change answers
 * in ways this server does not model (strength 4, caseLevel, alternate: shifted, backwards,
 * normalization) are refused, never ignored.
 */
export function checkCollation(doc: Document, command: string): Collator | undefined {
  const collation = doc.collation;
  if (collation === undefined || collation === null) return undefined;
  if (!isPlainObject(collation))
    throw new CommandError(
      'TypeMismatch',
      `BSON field '${command}.collation' is the wrong type, expected type 'object'`,
    );
  for (const key of Object.keys(collation)) {
    if (!COLLATION_FIELDS.includes(key))
      throw new CommandError('Location40415', `BSON field '${command}.collation.${key}' is an unknown field.`);
  }
  const locale = collation.locale;
  if (typeof locale !== 'string')
    throw new CommandError('FailedToParse', `BSON field '${command}.collation.locale' is missing but a required field`);
  if (locale === 'simple') {
    if (Object.keys(collation).length > 1)
      throw new CommandError('BadValue', 'If "locale" is set to "simple", then no other fields may be set');
    return undefined;
  }
  const strength =
    collation.strength === undefined ? 3 : isNumeric(collation.strength) ? toNumber(collation.strength) : NaN;
  if (![1, 2, 3, 4, 5].includes(strength))
    throw new CommandError(
      'FailedToParse',
      `unable to parse collation: strength must be 1 to 5, not ${String(collation.strength)}`,
    );
  const refuse = (what: string) => {
    throw new CommandError(
      'CommandNotSupported',
      `collation ${what} is not supported by the embedded server (strength 1-3 and 5 with numericOrdering and caseFirst are)`,
    );
  };
  // Quaternary weights (kana, shifted punctuation) are not something Intl.Collator exposes.
  if (strength === 4) refuse('strength 4');
  if (collation.caseLevel === true) refuse('caseLevel: true');
  if (collation.alternate !== undefined && collation.alternate !== 'non-ignorable')
    refuse(`alternate: ${String(collation.alternate)}`);
  if (collation.maxVariable !== undefined) refuse('maxVariable');
  if (collation.normalization === true) refuse('normalization: true');
  if (collation.backwards === true) refuse('backwards: true');
  const caseFirst = collation.caseFirst ?? 'off';
  if (!['upper', 'lower', 'off'].includes(String(caseFirst)))
    throw new CommandError('FailedToParse', `unable to parse collation: caseFirst must be upper, lower or off`);
  const tag = locale.replace(/_/g, '-');
  let supported: string[];
  try {
    supported = Intl.Collator.supportedLocalesOf(tag === '' || tag === 'root' ? 'und' : tag);
  } catch {
    supported = [];
  }
  if (supported.length === 0 && tag !== '' && tag !== 'root')
    throw new CommandError('BadValue', `Field 'locale' is invalid in: ${JSON.stringify(collation)}`);
  const numeric = collation.numericOrdering === true;
  const intl = new Intl.Collator(supported[0] ?? 'und', {
    sensitivity: strength === 1 ? 'base' : strength === 2 ? 'accent' : 'variant',
    numeric,
    caseFirst: caseFirst === 'off' ? 'false' : (caseFirst as 'upper' | 'lower'),
    usage: 'sort',
  });
  if (strength === 5) {
    // Identical: strings equal at strength 3 are then ordered by the code points of their NFD
    // forms (ICU's identical level), so only canonically equivalent strings are equal.
    const nfd = (s: string) => s.normalize('NFD');
    return { compare: (a, b) => intl.compare(a, b) || byCodePoint(nfd(a), nfd(b)), key: nfd };
  }
  const fold = folder(strength);
  // numericOrdering makes "01" equal "1": strip leading zeros of digit runs in the key too.
  const key = numeric ? (s: string) => fold(s).replace(/\d+/g, (digits) => digits.replace(/^0+(?=\d)/, '')) : fold;
  return { compare: (a, b) => intl.compare(a, b), key };
}

/** Code point order (not UTF-16 code units: a surrogate pair sorts after U+FFFF). */
function byCodePoint(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return i < a.length ? 1 : j < b.length ? -1 : 0;
}

/** A hint must name an index that exists (by name or by key pattern), as in mongod. */
export function checkHint(doc: Document, collection: Collection | undefined): void {
  const hint = doc.hint;
  if (hint === undefined || hint === null) return;
  if (isPlainObject(hint) && Object.keys(hint).length === 0) return;
  if (isPlainObject(hint) && '$natural' in hint) return;
  const specs = (collection?.indexSpecs() ?? []).filter((s) => !s.hidden);
  const found =
    typeof hint === 'string'
      ? specs.some((s) => s.name === hint)
      : isPlainObject(hint) && specs.some((s) => JSON.stringify(s.key) === JSON.stringify(hint));
  if (!found)
    throw new CommandError(
      'BadValue',
      'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index',
    );
}

/** `let` must be an object of constants; its names become $$variables. */
export function letVariables(doc: Document, command: string): Document {
  const vars = doc.let;
  if (vars === undefined || vars === null) return {};
  if (!isPlainObject(vars))
    throw new CommandError('TypeMismatch', `BSON field '${command}.let' is the wrong type, expected type 'object'`);
  return Object.fromEntries(Object.entries(vars).map(([name, expr]) => [name, evaluate(expr, {}, {})]));
}

export { after } from '../scan';
