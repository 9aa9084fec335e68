/**
 * GET /docs: the API's docs page, Swagger UI (swagger-ui-dist, pinned in package.json) reading the stage's own
 * GET /openapi.json. GET /docs/{asset}: the files the page loads, an allow-list (ASSETS), so nothing comes from
 * another site. Ours are docs.html (the page) and docs-init.js (Swagger UI's set-up, the log-in from the page);
 * functions/platform/functions.yml ships them and swagger-ui-dist's files in this function's zip only.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { httpHandler } from '../../shared/http/handler.js';
import { notFound } from '../../shared/http/errors.js';
import * as z from '../../shared/schema.js';
import { escapeHtml, withPageHeaders } from '../page-headers.js';

interface Asset {
  /** Where it lies, relative to the repository root, and alike to the function's package root. */
  file: string;
  contentType: string;
}

const JS = 'text/javascript; charset=utf-8';

/** Every file GET /docs/{asset} serves, by name; any other name is a 404. */
export const ASSETS: Readonly<Record<string, Asset>> = {
  'swagger-ui-bundle.js': { file: 'node_modules/swagger-ui-dist/swagger-ui-bundle.js', contentType: JS },
  // The bundle's first line points here for the licences of what it bundles.
  'swagger-ui-bundle.js.LICENSE.txt': {
    file: 'node_modules/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt',
    contentType: 'text/plain; charset=utf-8',
  },
  'swagger-ui.css': { file: 'node_modules/swagger-ui-dist/swagger-ui.css', contentType: 'text/css; charset=utf-8' },
  'docs-init.js': { file: 'functions/platform/handlers/docs-init.js', contentType: JS },
};

export const PAGE_FILE = 'functions/platform/handlers/docs.html';

const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Loaded {
  body: string;
  /** Of the content: the page asks for docs/<name>?v=<version>, so new content comes under a new URL. */
  version: string;
}

/**
 * `root`: where the files are. Lambda runs the function in its package root (/var/task), where the zip holds them
 * at their repository paths (package.patterns); serverless-offline and the tests run in the repository root.
 */
export function docsHandler(root: string = process.cwd()) {
  const loaded = new Map<string, Loaded>();
  const load = (file: string): Loaded => {
    let entry = loaded.get(file);
    if (!entry) {
      // The stylesheet names a source map that is not shipped: without the comment, devtools do not ask for it.
      const body = readFileSync(join(root, file), 'utf8').replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '');
      entry = { body, version: createHash('sha256').update(body).digest('base64url').slice(0, 16) };
      loaded.set(file, entry);
    }
    return entry;
  };

  /**
   * The page for one base path (`/dev/` on AWS, `/` locally): its URLs start there, so they hold whether the page
   * was asked for as /docs or /docs/.
   */
  const pages = new Map<string, string>();
  const page = (basePath: string): string => {
    let html = pages.get(basePath);
    if (html === undefined) {
      const base = escapeHtml(basePath);
      html = load(PAGE_FILE)
        .body.replaceAll('{{base}}', base)
        .replace(/\{\{asset:([^}]+)\}\}/g, (_, name: string) => {
          const asset = ASSETS[name];
          if (!asset) throw new Error(`${PAGE_FILE} names an asset that is not in ASSETS: ${name}`);
          return `${base}docs/${name}?v=${load(asset.file).version}`;
        });
      pages.set(basePath, html);
    }
    return html;
  };

  const inner = httpHandler({
    path: z.object({ asset: z.optional(z.string()) }),
    query: z.object({ v: z.optional(z.string()) }),
    handle: async ({ path, query, basePath }): Promise<APIGatewayProxyResult> => {
      if (path.asset === undefined) {
        return {
          statusCode: 200,
          headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' },
          body: page(basePath),
        };
      }
      const asset = Object.hasOwn(ASSETS, path.asset) ? ASSETS[path.asset] : undefined;
      if (!asset) throw notFound('No such docs asset');
      const { body, version } = load(asset.file);
      // Cached for good only under the URL of this very content (the page's); any other URL is revalidated.
      const cacheControl = query.v === version ? IMMUTABLE : 'no-cache';
      return { statusCode: 200, headers: { 'content-type': asset.contentType, 'cache-control': cacheControl }, body };
    },
  });

  // The page runs Swagger UI's bundle and one script of ours, both from here: the pages' CSP (../page-headers.ts).
  return withPageHeaders(inner);
}

export const handler = docsHandler();
