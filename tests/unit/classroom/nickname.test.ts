import { describe, expect, it } from 'vitest';
import { nicknameKey, parseNickname } from '../../../server/lab/classroom/nickname';

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
    expect(parseNickname('y'.repeat(10_000))).toMatchObject({ ok: false, message: expect.stringMatching(/at most 24/) });
  });

  it('treats case and composition variants as the same name', () => {
    expect(nicknameKey('ZOÉ')).toBe(nicknameKey('zoe\u0301'));
  });
});
