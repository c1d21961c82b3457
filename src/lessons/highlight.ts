/**
 * Syntax highlighting with Shiki, loaded only when a code pane first needs it so it stays
 * out of the initial JavaScript: the core, the JavaScript regex engine (no WASM), two
 * grammars and one theme, instead of the full bundle.
 */
import type { HighlighterCore, ThemedToken } from 'shiki/core';
import { darkenUntil, parseHex, toHex, WHITE } from '../contrast';

export type CodeLanguage = 'typescript' | 'python';
export const THEME = 'github-light-high-contrast';

let highlighter: Promise<HighlighterCore> | null = null;

function getHighlighter(): Promise<HighlighterCore> {
  highlighter ??= (async () => {
    const [{ createHighlighterCore }, { createJavaScriptRegexEngine }] = await Promise.all([
      import('shiki/core'),
      import('shiki/engine/javascript'),
    ]);
    return createHighlighterCore({
      themes: [import('shiki/themes/github-light-high-contrast.mjs')],
      langs: [import('shiki/langs/typescript.mjs'), import('shiki/langs/python.mjs')],
      engine: createJavaScriptRegexEngine(),
    });
  })();
  return highlighter;
}

/** The code as lines of coloured tokens. */
export async function highlight(code: string, lang: CodeLanguage): Promise<ThemedToken[][]> {
  const shiki = await getHighlighter();
  return shiki.codeToTokensBase(code, { lang, theme: THEME });
}

/**
 * Every background a code line has: the lesson panes (lessons.css: `.lesson-code pre`,
 * `.line.marked`) and the lab's Code view (styles.css: `.code`, `.code-line.active`,
 * `.code-line.in-step`).
 */
const CODE_BACKGROUNDS = [WHITE, ...['#fff8c5', '#fafafa', '#fff3b0'].map((hex) => parseHex(hex)!)];

/**
 * The theme's colour for a token, darkened where needed to read at 7:1 on every background a
 * code line can have: the high-contrast theme's comments are only 4.5:1 on white.
 * Colours it cannot parse pass through.
 */
export function readableOn(color: string | undefined): string | undefined {
  if (!color) return color;
  let readable = readableCache.get(color);
  if (readable === undefined) {
    const rgb = parseHex(color);
    readable = rgb ? toHex(darkenUntil(rgb, CODE_BACKGROUNDS)) : color;
    readableCache.set(color, readable);
  }
  return readable;
}
/** A theme has a few dozen colours; the code views ask for them on every render (every frame while a run plays). */
const readableCache = new Map<string, string>();
