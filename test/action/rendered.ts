/**
 * Markdown as a reader sees it: rendered as GitHub renders a job summary or a comment (CommonMark
 * with HTML and bare links), for tests that assert on what shows, not on the escapes that get it there.
 */
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt({ html: true, linkify: true });

export function renderedHtml(text: string): string {
  return markdown.render(text);
}

/** The visible text: tags dropped, entities decoded. */
export function renderedText(text: string): string {
  return renderedHtml(text)
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[\da-f]+|[a-z]+);/gi, (m, e: string) =>
      e[0] === '#'
        ? String.fromCodePoint(Number(e[1] === 'x' ? `0${e.slice(1)}` : e.slice(1)))
        : (({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e] ?? m),
    );
}
