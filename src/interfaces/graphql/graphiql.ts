import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { GraphiQLOptions } from 'graphql-yoga';

/*
 * GraphiQL from this server's own copy of its bundle
 * (@graphql-yoga/render-graphiql), instead of yoga's default page that loads
 * it from a CDN without integrity checks (and fails offline). The page is
 * small and refers only to same-origin paths; the bundle's scripts, styles
 * and Monaco workers are served below GRAPHIQL_ASSETS, versioned, so they
 * can be cached for good.
 */

const require = createRequire(import.meta.url);
const VERSION = (require('@graphql-yoga/render-graphiql/package.json') as { version: string }).version;
export const GRAPHIQL_ASSETS = `/graphiql/${VERSION}/`;

/** Monaco asks for its workers by label; each is a same-origin script. */
const WORKERS: Record<string, string> = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };

interface Asset {
  type: string;
  body: Buffer;
  gzipped?: Promise<Buffer>;
}

const gzip = promisify(gzipCb);
let assets: Promise<Map<string, Asset>> | null = null;

/** The bundle is ~9 MB of strings: read on first use, only where GraphiQL is on. */
function loadAssets(): Promise<Map<string, Asset>> {
  assets ??= import('@graphql-yoga/render-graphiql/graphiql').then((b) => {
    const js = (text: string): Asset => ({ type: 'text/javascript; charset=utf-8', body: Buffer.from(text) });
    const favicon = /^data:([^;]+);base64,(.*)$/s.exec(b.favicon);
    return new Map<string, Asset>([
      ['graphiql.js', js(b.js)],
      ['graphiql.css', { type: 'text/css; charset=utf-8', body: Buffer.from(b.css) }],
      ['favicon.ico', { type: favicon?.[1] ?? 'image/x-icon', body: Buffer.from(favicon?.[2] ?? '', 'base64') }],
      ['editor.worker.js', js(b.editorWorkerService)],
      ['json.worker.js', js(b.jsonWorker)],
      ['graphql.worker.js', js(b.graphqlWorker)],
      // Before the bundle runs: where Monaco finds its workers (yoga's page builds blob: URLs inline instead).
      [
        'env.js',
        js(
          `self.MonacoEnvironment={globalAPI:false,getWorkerUrl:function(_m,label){var w=${JSON.stringify(WORKERS)};` +
            `return ${JSON.stringify(GRAPHIQL_ASSETS)}+(w[label]||w.editorWorkerService);}};`,
        ),
      ],
      // After the bundle: render with the options the page carries as JSON (no inline script).
      [
        'boot.js',
        js(
          `YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'),` +
            `JSON.parse(document.getElementById('graphiql-options').textContent));`,
        ),
      ],
    ]);
  });
  return assets;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** yoga's renderGraphiQL option: the page, with its options as inert JSON (`<` escaped so no value can close the element). */
export function renderGraphiQLPage(opts: GraphiQLOptions): string {
  const options = JSON.stringify(opts ?? {}).replace(/</g, '\\u003c');
  const a = GRAPHIQL_ASSETS;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(opts?.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${a}favicon.ico" />
    <link rel="stylesheet" href="${a}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script id="graphiql-options" type="application/json">${options}</script>
    <script src="${a}env.js"></script>
    <script src="${a}graphiql.js"></script>
    <script src="${a}boot.js"></script>
  </body>
</html>
`;
}

/** Serves GraphiQL's assets; false for any other path. */
export async function handleGraphiQLAsset(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
  if (!pathname.startsWith('/graphiql/')) return false;
  const asset = pathname.startsWith(GRAPHIQL_ASSETS) ? (await loadAssets()).get(pathname.slice(GRAPHIQL_ASSETS.length)) : undefined;
  if (!asset || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(asset ? 405 : 404, { 'content-type': 'application/json; charset=utf-8', ...(asset ? { allow: 'GET, HEAD' } : {}) });
    res.end(
      JSON.stringify({ errors: [{ message: asset ? 'Use GET.' : 'Not found', extensions: { code: asset ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND' } }] }),
    );
    return true;
  }
  // The bundle is text and large (5 MB of script): compressed once, on first request, then kept.
  const wantsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = wantsGzip ? await (asset.gzipped ??= gzip(asset.body)) : asset.body;
  res.writeHead(200, {
    'content-type': asset.type,
    'content-length': String(body.length),
    // The version is in the path: a new bundle has new URLs.
    'cache-control': 'public, max-age=31536000, immutable',
    vary: 'accept-encoding',
    ...(wantsGzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
