import { marked } from 'marked';
import { useMemo } from 'react';

/** How many cores this machine has, by the browser's count ("several" when it will not say). */
const coreCount = () => {
  const cores = typeof navigator === 'undefined' ? 0 : navigator.hardwareConcurrency;
  return cores > 0 ? `${cores}` : 'several';
};

/** Facts about the reader's machine that lesson text names as `{{cores}}`, read when shown, never written down. */
export function withMachineFacts(text: string, cores: () => string = coreCount): string {
  return text.includes('{{cores}}') ? text.replaceAll('{{cores}}', cores()) : text;
}

/**
 * Lesson prose. The Markdown comes from our own lessons/ folder, bundled at build time,
 * never from users or the network, so rendering its HTML is safe here.
 */
export function Markdown({
  text,
  className,
}: {
  /** Markdown source from a lesson file. */ text: string;
  className?: string;
}) {
  const html = useMemo(() => marked.parse(withMachineFacts(text), { async: false, gfm: true }), [text]);
  return <div className={className ?? 'lesson-prose'} dangerouslySetInnerHTML={{ __html: html }} />;
}
