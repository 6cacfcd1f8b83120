import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { ParseSpeeds, PDFDocument, PDFObjectCopier, PDFPage } from 'pdf-lib';

/**
 * Typst to PDF. The compiler is one synchronous native call (2,000 invitation pages:
 * seconds), so it runs on a worker thread (typst.worker.cjs): one per process,
 * started on first use, jobs queued on its port and run in order, unref'd while idle
 * so it never keeps a process alive. Large documents are compiled in chunks and
 * merged with pdf-lib, which is what lets a caller see progress during a render.
 */

/** Typst refused the document: `diagnostics` is its error text (message, place, hints). */
export class TypstRenderError extends Error {
  override readonly name = 'TypstRenderError';
  constructor(readonly diagnostics: string) {
    super(`Typst could not render the document: ${diagnostics}`);
  }
}

export interface TypstJob {
  source: string;
  /** `sys.inputs` in the template: strings only (JSON for structured data). */
  inputs?: Record<string, string>;
  /** Virtual files by absolute path ('/cover.png'), for `image("/cover.png")`; the compiler sees no other files. */
  files?: Record<string, Uint8Array>;
}

export interface TypstPdf {
  pdf: Uint8Array;
  pages: number;
}

type Answer = { id: number; ok: true; pdf: Uint8Array; pages: number } | { id: number; ok: false; diagnostics: string };

class TypstThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: TypstPdf) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(private readonly onGone: () => void) {
    this.worker = new Worker(new URL('./typst.worker.cjs', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (a: Answer) => this.settle(a));
    this.worker.on('error', (e: unknown) => this.fail(e instanceof Error ? e : new Error(String(e))));
    this.worker.on('exit', (code) => this.fail(new Error(`the Typst worker exited (code ${code})`)));
  }

  compile(job: TypstJob): Promise<TypstPdf> {
    const id = this.nextId++;
    return new Promise<TypstPdf>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A job in flight keeps the process alive; an idle worker does not.
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, ...job });
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private settle(a: Answer): void {
    const waiting = this.pending.get(a.id);
    if (!waiting) return;
    this.pending.delete(a.id);
    if (this.pending.size === 0) this.worker.unref();
    if (a.ok) waiting.resolve({ pdf: a.pdf, pages: a.pages });
    else waiting.reject(new TypstRenderError(a.diagnostics));
  }

  /** The thread is gone (a crash, terminate()): its jobs fail, and the next compile starts a new one. */
  private fail(e: Error): void {
    this.onGone();
    for (const { reject } of this.pending.values()) reject(e);
    this.pending.clear();
  }
}

let thread: TypstThread | null = null;

/** Compiles a Typst document to PDF bytes on the compiler thread. Rejects with TypstRenderError when Typst reports errors. */
export function compileTypst(job: TypstJob): Promise<TypstPdf> {
  const current = (thread ??= new TypstThread(() => {
    if (thread === current) thread = null;
  }));
  return current.compile(job);
}

/** Stops the compiler thread (jobs in flight fail); the next compile starts another. For shutdown and tests. */
export async function stopTypstWorker(): Promise<void> {
  const current = thread;
  thread = null;
  await current?.terminate();
}

export type ProgressCallback = (pagesDone: number, pagesTotal: number) => void | Promise<void>;

export interface ChunkedTypstRender<T> {
  /** A template that draws one page per item of the chunk it is given. */
  source: string;
  items: readonly T[];
  /** The template's inputs for one chunk; `offset` is the index of its first item. */
  inputs: (chunk: readonly T[], offset: number) => Record<string, string> | Promise<Record<string, string>>;
  /** The same virtual files for every chunk (a cover image). */
  files?: Record<string, Uint8Array>;
  /** Items per compile; see DEFAULT_CHUNK_PAGES. */
  chunkSize?: number;
  /**
   * Finishes pages once they are in the merged document (print boxes): called for a few
   * pages at a time (PAGES_PER_TICK) as each chunk is merged, not for all of them at the end.
   */
  finishPages?: (doc: PDFDocument, pages: PDFPage[]) => void | Promise<void>;
  /** After each chunk is merged: pages so far, pages in all (one per item). Awaited; a throw stops the render. */
  onProgress?: ProgressCallback;
}

/**
 * Items per compile. A chunk is a progress report and bounds one compile's memory; it
 * also costs its own copy of the fonts' subsets and shared images in the merged file
 * (2,000 invitation cards: 7.5 MB in chunks of 250 against 7.2 MB in one compile). One
 * compile of 2,000 cards was not faster: it took longer (Typst's work grows faster than
 * the page count), so there is no speed to win back with larger chunks.
 */
export const DEFAULT_CHUNK_PAGES = 250;

/**
 * Renders `items` in chunks and merges them into one pdf-lib document (for the
 * caller to finish, e.g. print boxes, and save with savePdf). While the thread
 * compiles chunk n+1, this thread prepares and merges chunk n.
 */
export async function renderTypstChunks<T>(render: ChunkedTypstRender<T>): Promise<{ doc: PDFDocument; pages: number }> {
  const size = Math.max(1, Math.floor(render.chunkSize ?? DEFAULT_CHUNK_PAGES));
  const total = render.items.length;
  const starts: number[] = [];
  for (let at = 0; at < total; at += size) starts.push(at);
  if (starts.length === 0) starts.push(0);

  const start = async (at: number): Promise<TypstPdf> => {
    const chunk = render.items.slice(at, at + size);
    const inputs = await render.inputs(chunk, at);
    return compileTypst({ source: render.source, inputs, files: render.files });
  };

  let doc: PDFDocument | null = null;
  let pages = 0;
  let next = start(starts[0]!);
  for (let i = 0; i < starts.length; i++) {
    const current = await next;
    if (i + 1 < starts.length) {
      next = start(starts[i + 1]!);
      // Awaited on the next turn of the loop; until then a failure must not count as unhandled.
      next.catch(() => undefined);
    }
    const part = await loadPdf(current.pdf);
    let added: PDFPage[];
    if (!doc) {
      doc = part;
      added = part.getPages();
    } else {
      added = await appendPages(doc, part);
    }
    if (render.finishPages) {
      for (let at = 0; at < added.length; at += PAGES_PER_TICK) {
        await nextMacrotask();
        await render.finishPages(doc, added.slice(at, at + PAGES_PER_TICK));
      }
    }
    pages += current.pages;
    await render.onProgress?.(Math.min(total, starts[i]! + size), total);
    // Copying pages is synchronous: let I/O in between chunks.
    await nextMacrotask();
  }
  return { doc: doc!, pages };
}

/** Pages copied between yields: ~10 ms of this thread's time. */
const PAGES_PER_TICK = 25;

/**
 * Appends every page of `part` to `doc`: pdf-lib's copyPages, done in batches with the event
 * loop let in between (copyPages copies a chunk's pages in one synchronous stretch). One
 * copier for the whole part, so the fonts and images its pages share are copied once.
 */
async function appendPages(doc: PDFDocument, part: PDFDocument): Promise<PDFPage[]> {
  await part.flush();
  const copier = PDFObjectCopier.for(part.context, doc.context);
  const added: PDFPage[] = [];
  for (const [i, source] of part.getPages().entries()) {
    if (i > 0 && i % PAGES_PER_TICK === 0) await nextMacrotask();
    const node = copier.copy(source.node);
    const page = PDFPage.of(node, doc.context.register(node), doc);
    doc.addPage(page);
    added.push(page);
  }
  return added;
}

/** pdf-lib's parser, yielding to the event loop every 100 objects (its "slow" speed) so a large file does not stall it. */
export function loadPdf(bytes: Uint8Array): Promise<PDFDocument> {
  return PDFDocument.load(bytes, { parseSpeed: ParseSpeeds.Slow, updateMetadata: false });
}

/** Serialises with object streams, yielding every 50 objects. */
export function savePdf(doc: PDFDocument): Promise<Uint8Array> {
  return doc.save({ useObjectStreams: true, objectsPerTick: 50, addDefaultPage: false });
}
