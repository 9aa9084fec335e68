// Every relative link and every `README, "Section"`-style reference in the repository leads to a file and a heading
// that exist (scripts/markdown-links.ts); and the design brief kept outside the repository is cited nowhere.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { headingsOf, problemOf, referencesIn, SCANNED_EXTENSIONS, type Reference } from './markdown-links.js';

const ROOT = resolve(import.meta.dirname, '..');
/** The checker and its tests: they spell the forms out, and write broken references on purpose (the fixtures). */
const SELF = new Set(['scripts/markdown-links.test.ts', 'scripts/markdown-links.ts']);

/** The repository's files (tracked, and new ones not ignored) whose prose is checked. */
function repositoryFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  return listed
    .split('\n')
    .filter((file) => file !== '' && !SELF.has(file) && SCANNED_EXTENSIONS.has(extname(file)) && existsSync(join(ROOT, file)));
}

const files = repositoryFiles();
const references = files.flatMap((file) => referencesIn(file, readFileSync(join(ROOT, file), 'utf8')));

describe("the repository's references", () => {
  it('are found: links in the docs and READMEs, sections cited from code and configuration', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'functions/orders/README.md']));
    expect(references.filter((r) => r.kind === 'link').length).toBeGreaterThan(30);
    expect(references.filter((r) => r.kind === 'section' && !r.file.endsWith('.md')).length).toBeGreaterThan(10);
  });

  it('every relative link and section reference resolves to an existing file and heading', () => {
    expect(references.map((reference) => problemOf(ROOT, reference)).filter(Boolean)).toEqual([]);
  });

  it('nothing cites the design brief outside the repository: docs/ holds the contract', () => {
    const citing = files.filter((file) => readFileSync(join(ROOT, file), 'utf8').includes('DESIGN.md'));
    expect(citing).toEqual([]);
  });
});

describe('the checker', () => {
  const root = mkdtempSync(join(tmpdir(), 'links-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  write(
    'README.md',
    '# Project\n\n## Choices worth knowing\n\n## The API: errors, `CORS`\n\n```\n# Not a heading\n```\n\n## Keys\n\n## Keys\n',
  );
  write('docs/guide.md', '# Guide\n\n## Sweeper\n');
  write('src/code.ts', '');
  const problemsIn = (file: string, text: string) =>
    referencesIn(file, text)
      .map((reference: Reference) => problemOf(root, reference))
      .filter(Boolean);

  it("reads headings and GitHub's anchors: punctuation dropped, code ticks gone, repeats numbered, fences skipped", () => {
    expect(headingsOf(readFileSync(join(root, 'README.md'), 'utf8'))).toEqual([
      { text: 'Project', slug: 'project' },
      { text: 'Choices worth knowing', slug: 'choices-worth-knowing' },
      { text: 'The API: errors, CORS', slug: 'the-api-errors-cors' },
      { text: 'Keys', slug: 'keys' },
      { text: 'Keys', slug: 'keys-1' },
    ]);
  });

  it('accepts links and references that lead somewhere', () => {
    const markdown = [
      'See [the guide](docs/guide.md#sweeper), [keys](#keys-1), [the code](src/code.ts), [a site](https://example.com/x#y).',
      'Also (`docs/guide.md`, "Sweeper") and (README, "Choices worth knowing") and README, Choices.',
      'The form itself, `README, "Section"`, is an example, not a reference; nor is aws/event-ruler README, "Other".',
      '```',
      '[inside a fence](nowhere.md)',
      '```',
    ].join('\n');
    expect(problemsIn('README.md', markdown)).toEqual([]);
    expect(problemsIn('src/code.ts', '// The sweeper (docs/guide.md, "Sweeper"); the keys: README, Keys.\nconst a = [1](2);')).toEqual([]);
    expect(problemsIn('docs/other.md', '[up](../README.md#the-api-errors-cors) and [the guide](guide.md)')).toEqual([]);
  });

  it.each([
    ['a missing file', 'README.md', '[gone](docs/gone.md)', 'no docs/gone.md'],
    ['a missing anchor', 'README.md', '[x](docs/guide.md#limits)', 'has no heading #limits'],
    ['a missing anchor in the same file', 'README.md', '[x](#ports)', 'has no heading #ports'],
    ['a missing section', 'src/code.ts', '// (README, "Observability")', 'has no heading Observability'],
    ['a missing unquoted section', 'src/code.ts', "throw new Error('see README: Ports')", 'has no heading Ports'],
    ['a section of a missing file', 'src/code.ts', '# (DESIGN.md, "Events")', 'no such file DESIGN.md'],
    ['a section in code ticks', 'docs/other.md', '(`docs/guide.md`, "Limits")', 'has no heading Limits'],
    ['a section that only begins a word of a heading', 'src/code.ts', '// README, "Choice"', 'has no heading Choice'],
    ['a link in a code comment', 'src/code.ts', '// [gone](../docs/gone.md)', 'no docs/gone.md'],
  ])('refuses %s', (_name, file, text, problem) => {
    const problems = problemsIn(file, text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
  });
});
