import { marked } from 'marked';
import { useMemo } from 'react';

/**
 * Lesson prose. The Markdown comes from our own lessons/ folder, bundled at build time,
 * never from users or the network, so rendering its HTML is safe here.
 */
export function Markdown({ text, className }: { /** Markdown source from a lesson file. */ text: string; className?: string }) {
  const html = useMemo(() => marked.parse(text, { async: false, gfm: true }), [text]);
  return <div className={className ?? 'lesson-prose'} dangerouslySetInnerHTML={{ __html: html }} />;
}
