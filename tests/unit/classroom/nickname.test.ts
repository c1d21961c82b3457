import { describe, expect, it } from 'vitest';
import { lookalikeKeys, nicknameKey, parseNickname } from '../../../server/lab/classroom/nickname';
import { StudentRegistry } from '../../../server/lab/classroom/registry';

describe('parseNickname', () => {
  it.each([
    ['Ada', 'Ada'],
    ['  Grace Hopper  ', 'Grace Hopper'],
    ['a    b', 'a b'],
    ['李雷', '李雷'],
    ['Zoe\u0301', 'Zoé'],
    ['team_7-b', 'team_7-b'],
    ['x'.repeat(24), 'x'.repeat(24)],
  ])('accepts %j as %j', (raw, nickname) => {
    expect(parseNickname(raw)).toEqual({ ok: true, nickname });
  });

  it.each([
    ['', /empty/],
    ['    ', /empty/],
    ['x'.repeat(25), /at most 24/],
    ['<b>hi</b>', /letters, digits/],
    ['{"$ne":null}', /letters, digits/],
    ['a\tb', /letters, digits/],
    ['a\nb', /letters, digits/],
    ['evil\u202Eeman', /letters, digits/],
    ['dot.name', /letters, digits/],
    ['😀', /letters, digits/],
  ])('refuses %j', (raw, message) => {
    const result = parseNickname(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it.each([[null], [42], [{ $ne: null }], [['Ada']]])('refuses a %j that is not a string', (raw) => {
    expect(parseNickname(raw)).toEqual({ ok: false, message: 'nickname must be a string' });
  });

  it('counts characters, not UTF-16 units', () => {
    // Mathematical script letters are \p{L} but take two UTF-16 units each.
    expect(parseNickname('𝒜'.repeat(24))).toEqual({ ok: true, nickname: '𝒜'.repeat(24) });
    expect(parseNickname('𝒜'.repeat(25)).ok).toBe(false);
  });

  it('refuses ten thousand characters without normalising them', () => {
    expect(parseNickname('y'.repeat(10_000))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/at most 24/),
    });
  });

  it('treats case and composition variants as the same name', () => {
    expect(nicknameKey('ZOÉ')).toBe(nicknameKey('zoe\u0301'));
  });

  it.each([
    ['the Hangul filler U+3164', '\u3164'],
    ['the halfwidth Hangul filler U+FFA0', '\uFFA0'],
    ['the choseong and jungseong fillers U+115F U+1160', '\u115F\u1160'],
    ['fillers around spaces', '\u3164 \u3164'],
    ['a visible name padded with a filler', 'bob\u3164'],
  ])('refuses %s: letters to Unicode, invisible on the projector', (_what, raw) => {
    const result = parseNickname(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/invisible/);
  });

  it.each([['___'], ['- -'], ['_-_']])('refuses %j: no letter or digit to read', (raw) => {
    expect(parseNickname(raw)).toEqual({ ok: false, message: 'nickname needs at least one letter or digit' });
  });
});

describe('look-alike nicknames (UTS #39 skeletons)', () => {
  it.each([
    ['bob', 'b\u043Eb', 'a Cyrillic о'],
    ['bob', '\uFF42\uFF4F\uFF42', 'fullwidth letters'],
    ['bob', 'BOB', 'capitals'],
    ['lan', 'Ian', 'a capital I for an l'],
    ['paypal', '\u0440\u0430y\u0440\u0430l', 'Cyrillic р and а'],
    ['Zoé', 'ZOE\u0301', 'case and composition'],
  ])('%j and %j share a key (%s)', (a, b) => {
    const keys = new Set(lookalikeKeys(a));
    expect(lookalikeKeys(b).some((k) => keys.has(k))).toBe(true);
  });

  it.each([
    ['bob', 'bib'],
    ['Ada', 'Adam'],
    ['李雷', '李雪'],
    ['Zoé', 'Zoe'],
  ])('keeps %j and %j apart', (a, b) => {
    const keys = new Set(lookalikeKeys(a));
    expect(lookalikeKeys(b).some((k) => keys.has(k))).toBe(false);
  });

  it('refuses a look-alike of a present name with a 409 that names it, and frees it when they leave', () => {
    const registry = new StudentRegistry();
    const bob = registry.join('bob');
    if (!bob.ok) throw new Error(bob.message);
    for (const lookalike of ['b\u043Eb', '\uFF42\uFF4F\uFF42', 'BOB']) {
      expect(registry.join(lookalike)).toMatchObject({
        ok: false,
        status: 409,
        message: expect.stringMatching(/taken.*looks like "bob"/),
      });
    }
    registry.leave(bob.student);
    expect(registry.join('b\u043Eb')).toMatchObject({ ok: true });
  });
});
