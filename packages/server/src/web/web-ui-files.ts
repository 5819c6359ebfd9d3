import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One file of the built UI, held in memory with everything its answer needs. */
export interface WebUiFile {
  /** URL path it is served at, e.g. `/assets/index-3f2a.js`. */
  urlPath: string;
  contentType: string;
  body: Buffer;
  /**
   * The body gzipped, for text files worth compressing (`undefined` for the rest). Compressed on
   * first use and kept: at level 9 the whole UI takes ~150 ms of CPU, which a process that never
   * serves it (`flywheel eval`, tests) should not pay at start.
   */
  gzipped(): Buffer | undefined;
  /** Strong validator from the content. */
  etag: string;
  cacheControl: string;
}

/** The built UI: `index.html` and the files it loads. */
export interface WebUiFiles {
  index: WebUiFile;
  /** Every file but `index.html`, by URL path. */
  files: Map<string, WebUiFile>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const compressible = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.map',
  '.svg',
  '.txt',
  '.webmanifest',
]);

/** Vite puts content-hashed files under `assets/`: their URL changes with their content. */
const immutableCaching = 'public, max-age=31536000, immutable';
/** Everything else (index.html, files from `public/`) is revalidated by its ETag on every use. */
const revalidate = 'no-cache';

/**
 * Reads the built UI (`apps/web/dist`) into memory once, at start: a few hundred kilobytes that
 * are then served without touching the disk, each with its content type, ETag, caching and a
 * gzipped copy. Only the files found here are ever served, so no request path reaches the file
 * system. Answers `undefined` when the folder has no `index.html` (the UI is not built).
 */
export function readWebUiFiles(dir: string): WebUiFiles | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const files = new Map<string, WebUiFile>();
  let index: WebUiFile | undefined;
  for (const path of listFiles(dir)) {
    const relativePath = relative(dir, path).split(sep).join('/');
    const extension = extname(path).toLowerCase();
    const body = readFileSync(path);
    const file: WebUiFile = {
      urlPath: `/${relativePath}`,
      contentType: contentTypes[extension] ?? 'application/octet-stream',
      body,
      gzipped: compressible.has(extension) && body.length > 1024 ? lazyGzip(body) : () => undefined,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      cacheControl: relativePath.startsWith('assets/') ? immutableCaching : revalidate,
    };
    if (relativePath === 'index.html') index = file;
    else files.set(file.urlPath, file);
  }
  return index ? { index, files } : undefined;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function lazyGzip(body: Buffer): () => Buffer {
  let gzipped: Buffer | undefined;
  return () => {
    gzipped ??= gzipSync(body, { level: 9 });
    return gzipped;
  };
}
