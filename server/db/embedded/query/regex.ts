/**
 * Regular expressions run on RE2 (re2js), whose matching time is linear in the input: a
 * pattern like ^(a+)+$ cannot hold the server's one thread. It reads PCRE's inline flags
 * ((?i)), \A and \z like mongod; what RE2 cannot run (backreferences, lookaround) is refused
 * with an error instead of being answered differently.
 */
import { BSONRegExp } from 'bson';
import { RE2JS } from 're2js';
import { CommandError } from '../errors';

const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };
const cache = new Map<string, RE2JS>();
const CACHE_LIMIT = 500;

/** The x flag: whitespace and #-comments outside character classes are not part of the pattern. */
function stripExtended(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += ch + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
    } else if (ch === '#') {
      while (i < pattern.length && pattern[i] !== '\n') i++;
    } else if (!/\s/.test(ch)) {
      out += ch;
    }
  }
  return out;
}

export function compileRegex(pattern: string, options: string): RE2JS {
  const key = `${options}/${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let flags = 0;
  for (const flag of options) {
    if (flag in FLAG_BITS) flags |= FLAG_BITS[flag]!;
    else if (flag !== 'x' && flag !== 'u') throw new CommandError('BadValue', `invalid flag in regex options: ${flag}`);
  }
  const source = options.includes('x') ? stripExtended(pattern) : pattern;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, flags);
  } catch (error) {
    throw new CommandError(
      'BadValue',
      `Regular expression is invalid or not supported by the embedded server (it runs RE2, without backreferences or lookaround): ${(error as Error).message}`,
    );
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

/** A compiled test for a regex given as a BSON regex, a JS RegExp, or $regex/$options strings. */
export function regexTester(value: unknown, options = ''): (text: string) => boolean {
  let pattern: string;
  let flags = options;
  if (value instanceof BSONRegExp) {
    pattern = value.pattern;
    flags = value.options + options;
  } else if (value instanceof RegExp) {
    pattern = value.source;
    flags = value.flags.replace(/[gyd]/g, '') + options;
  } else if (typeof value === 'string') {
    pattern = value;
  } else {
    throw new CommandError('BadValue', '$regex has to be a string');
  }
  const re = compileRegex(pattern, [...new Set(flags)].sort().join(''));
  return (text) => re.matcher(text).find();
}

export const isRegex = (value: unknown): boolean => value instanceof BSONRegExp || value instanceof RegExp;
