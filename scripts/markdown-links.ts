/**
 * Where the repository's prose points, and whether it gets there: relative Markdown links (`[text](path#anchor)`,
 * in Markdown and in code comments) and section references (`README, "Section"`, `functions/orders/README.md,
 * "Sweeper"`, `docs/http-api.md, "CORS"`, `README: Ports`) in Markdown, code and configuration. A bare `README`
 * is the repository's own; other paths are read from the repository root, then from the citing file's folder.
 * A section is found when a heading of that file is it, or starts with it ("Choices" finds "Choices worth
 * knowing"), case aside. scripts/markdown-links.test.ts runs it over the repository.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';

export interface Heading {
  /** As a reader sees it: no code ticks, links as their text, no emphasis. */
  text: string;
  /** GitHub's anchor for it. */
  slug: string;
}

export interface Reference {
  file: string;
  line: number;
  /** `link`: a relative Markdown link; `section`: a path and a section named in prose. */
  kind: 'link' | 'section';
  /** The path as written (a link without a path points into its own file). */
  path: string;
  /** The link's `#anchor`, or the section's name. */
  part?: string;
  source: string;
}

const MARKDOWN = new Set(['.md']);
const CODE = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.yml', '.yaml', '.sh', '.html']);
export const SCANNED_EXTENSIONS = new Set([...MARKDOWN, ...CODE]);

const plain = (text: string) =>
  text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__|\*|_)(\S(?:.*?\S)?)\1/g, '$2')
    .trim();

/** GitHub's heading anchors: lower case, punctuation dropped (hyphens and underscores kept), each space a hyphen; repeats get -1, -2. */
export function headingsOf(markdown: string): Heading[] {
  const seen = new Map<string, number>();
  const headings: Heading[] = [];
  for (const line of withoutFences(markdown).split('\n')) {
    const match = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!match) continue;
    const text = plain(match[1] as string);
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    headings.push({ text, slug: count === 0 ? base : `${base}-${count}` });
  }
  return headings;
}

/** Whether `section` names one of `headings`: the heading itself, or its beginning up to a word's end. */
export function hasSection(headings: Heading[], section: string): boolean {
  const wanted = plain(section).toLowerCase();
  return headings.some(({ text }) => {
    const heading = text.toLowerCase();
    return heading === wanted || (heading.startsWith(wanted) && /^[^\p{L}\p{N}]/u.test(heading.slice(wanted.length)));
  });
}

const LINK = /\[(?:[^\]\n]|\\\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
/**
 * `<path>, "Section"`, `<path>: Section`, with the path in code ticks or not. Not after `owner/repo ` (another
 * repository's README, e.g. `aws/event-ruler README, "JSON Array Matching"`).
 */
const SECTION_REF =
  /(?<![\w/.-])(?<![\w-]+\/[\w.-]+ `?)`?((?:[\w-][\w.-]*\/)*(?:README(?:\.md)?|[\w-][\w.-]*\.md))`?[,:] ?(?:"([^"\n]+)"|“([^”\n]+)”|([A-Z][\w-]*))/g;

/** The spans of inline code in a Markdown text (outside fences, which are blanked before). */
function codeSpans(text: string): Array<[number, number]> {
  return [...text.matchAll(/`[^`\n]+`/g)].map((match) => [match.index, match.index + match[0].length]);
}

/** `text` with fenced blocks blanked (lines kept, so line numbers hold). */
function withoutFences(text: string): string {
  let fence: string | undefined;
  return text
    .split('\n')
    .map((line) => {
      const fenceMark = /^\s*(```|~~~)/.exec(line)?.[1];
      if (fenceMark) {
        fence = fence === undefined ? fenceMark : fence === fenceMark ? undefined : fence;
        return '';
      }
      return fence ? '' : line;
    })
    .join('\n');
}

/** The comment lines of a code file (`//`, `/* ... *\/` lines, `#`, `<!-- -->`), other lines blanked. */
function commentsOf(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const comment = /(?:^|\s)(?:\/\/|\/\*+|\*|#|<!--)\s(.*)$/.exec(line);
      return comment ? (comment[1] as string) : '';
    })
    .join('\n');
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Every reference in one file's text. */
export function referencesIn(file: string, content: string): Reference[] {
  const markdown = MARKDOWN.has(extname(file));
  const prose = markdown ? withoutFences(content) : content;
  const spans = markdown ? codeSpans(prose) : [];
  const inOneSpan = (start: number, end: number) => spans.some(([from, to]) => start >= from && end <= to);
  const references: Reference[] = [];

  const linkText = markdown ? prose : commentsOf(content);
  for (const match of linkText.matchAll(LINK)) {
    const target = match[1] as string;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || inOneSpan(match.index, match.index + match[0].length)) continue;
    const [path = '', anchor] = target.split('#', 2);
    references.push({
      file,
      line: lineOf(linkText, match.index),
      kind: 'link',
      path: decodeURIComponent(path),
      ...(anchor !== undefined ? { part: anchor } : {}),
      source: match[0],
    });
  }

  for (const match of prose.matchAll(SECTION_REF)) {
    // A whole reference inside one code span is an example of the form, not a reference.
    if (inOneSpan(match.index, match.index + match[0].length)) continue;
    references.push({
      file,
      line: lineOf(prose, match.index),
      kind: 'section',
      path: match[1] as string,
      part: (match[2] ?? match[3] ?? match[4]) as string,
      source: match[0],
    });
  }
  return references;
}

/** What is wrong with `reference`, or undefined when it leads somewhere. */
export function problemOf(root: string, reference: Reference): string | undefined {
  const where = `${reference.file}:${reference.line}: ${reference.source}`;
  const fromFile = dirname(join(root, reference.file));
  let target: string | undefined;
  if (reference.kind === 'link') {
    target = reference.path === '' ? join(root, reference.file) : resolve(fromFile, reference.path);
    if (!existsSync(target)) return `${where}: no ${relative(root, target)}`;
  } else {
    const path = reference.path === 'README' ? 'README.md' : reference.path;
    target = [join(root, path), resolve(fromFile, path)].find((candidate) => existsSync(candidate));
    if (!target) return `${where}: no such file ${path}`;
  }
  if (reference.part === undefined || reference.part === '') return undefined;
  if (statSync(target).isDirectory() || extname(target) !== '.md') return `${where}: ${relative(root, target)} has no headings`;
  const headings = headingsOf(readFileSync(target, 'utf8'));
  const found =
    reference.kind === 'link'
      ? headings.some((heading) => heading.slug === reference.part?.toLowerCase())
      : hasSection(headings, reference.part);
  return found ? undefined : `${where}: ${relative(root, target)} has no heading ${reference.kind === 'link' ? '#' : ''}${reference.part}`;
}
