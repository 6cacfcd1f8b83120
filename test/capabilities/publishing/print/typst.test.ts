import { afterAll, describe, expect, it } from 'vitest';
import { compileTypst, renderTypstChunks, savePdf, stopTypstWorker, TypstRenderError } from '../../../../src/capabilities/publishing/print/typst.js';
import { pdfPageCount, pdfScratch, pdfText, qpdfCheck } from '../../../support/pdf-tools.js';

const scratch = pdfScratch();
afterAll(async () => {
  scratch.remove();
  await stopTypstWorker();
});

/** A page per item of `sys.inputs.items` (a JSON array of strings), each saying its item. */
const LIST = `#set page(width: 80mm, height: 50mm, margin: 10mm)
#let items = json(bytes(sys.inputs.items))
#for (i, item) in items.enumerate() { if i > 0 { pagebreak() }; [Item: #item] }`;

const many = (n: number, from = 0) => JSON.stringify(Array.from({ length: n }, (_, i) => `n${from + i}`));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('compileTypst', () => {
  it('compiles a document with JSON inputs to a sound PDF', async () => {
    const { pdf, pages } = await compileTypst({ source: LIST, inputs: { items: JSON.stringify(['alpha', 'beta', 'gamma']) } });
    expect(pages).toBe(3);
    const file = scratch.write('list.pdf', pdf);
    qpdfCheck(file);
    expect(pdfPageCount(file)).toBe(3);
    expect(pdfText(file, 2)).toContain('Item: beta');
  });

  it("reports Typst's errors as TypstRenderError with the diagnostics", async () => {
    const panic = await rejection(compileTypst({ source: '#panic("the layout gave up")' }));
    expect(panic).toBeInstanceOf(TypstRenderError);
    expect((panic as TypstRenderError).diagnostics).toContain('error: panicked with: "the layout gave up"');

    const syntax = await rejection(compileTypst({ source: '#let x = (1, 2' }));
    expect(syntax).toBeInstanceOf(TypstRenderError);
    expect((syntax as TypstRenderError).diagnostics).toMatch(/^error: /);

    const call = await rejection(compileTypst({ source: '#let f() = text(nonsense: 1)[x]\n#f()' }));
    expect((call as TypstRenderError).diagnostics).toMatch(/unexpected argument: nonsense[\s\S]*while calling f/);
  });

  it('sees only the files a job maps in, and only for that job', async () => {
    const hello = new TextEncoder().encode('hello from a mapped file');
    const { pdf } = await compileTypst({ source: '#read("/notes/hello.txt")', files: { '/notes/hello.txt': hello } });
    expect(pdfText(scratch.write('mapped.pdf', pdf))).toContain('hello from a mapped file');

    const gone = await rejection(compileTypst({ source: '#read("/notes/hello.txt")' }));
    expect(gone).toBeInstanceOf(TypstRenderError);
    // The server's disk is not reachable: not by absolute path, not by climbing out of the root.
    for (const path of ['/etc/hostname', '/package.json', '../../../etc/hostname']) {
      expect(await rejection(compileTypst({ source: `#read("${path}")` })), path).toBeInstanceOf(TypstRenderError);
    }
  });

  it('compiles off the event loop: timers keep firing during a large compile', async () => {
    // Warm: the worker is started and its fonts are loaded.
    await compileTypst({ source: 'x' });
    // A compile long enough to see timers fire beside it: more pages until it takes over 100 ms (a fast
    // machine does 1,500 in less), so the checks below never pass for want of work.
    let n = 1500;
    for (;;) {
      let ticks = 0;
      let longest = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
        ticks++;
      }, 5);
      const started = performance.now();
      const { pages } = await compileTypst({ source: LIST, inputs: { items: many(n, Date.now()) } });
      const took = performance.now() - started;
      clearInterval(timer);
      expect(pages).toBe(n);
      if (took <= 100 && n < 12_000) {
        n *= 2;
        continue;
      }
      // On this thread the timer would not have fired once during the compile.
      expect(took).toBeGreaterThan(100);
      expect(ticks).toBeGreaterThan(5);
      expect(longest).toBeLessThan(took);
      break;
    }
  });

  it('queues concurrent jobs on the one thread and answers each its own', async () => {
    const sizes = [4, 1, 7, 2];
    const results = await Promise.all(sizes.map((n, i) => compileTypst({ source: LIST, inputs: { items: many(n, i * 100) } })));
    expect(results.map((r) => r.pages)).toEqual(sizes);
    const file = scratch.write('queued.pdf', results[2]!.pdf);
    expect(pdfText(file, 7)).toContain('Item: n206');
  });

  it('fails the jobs in flight when the thread stops, and starts a new one for the next', async () => {
    const inFlight = compileTypst({ source: LIST, inputs: { items: many(2000, 7) } });
    await stopTypstWorker();
    const error = await rejection(inFlight);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypstRenderError);
    expect((await compileTypst({ source: LIST, inputs: { items: many(2) } })).pages).toBe(2);
  });
});

describe('renderTypstChunks', () => {
  const items = Array.from({ length: 7 }, (_, i) => `card-${i + 1}`);

  it('compiles in chunks, reports progress as each is merged, and keeps the pages in order', async () => {
    const progress: [number, number][] = [];
    let finished = false;
    const render = renderTypstChunks({
      source: LIST,
      items,
      chunkSize: 3,
      inputs: (chunk, offset) => {
        expect(chunk[0]).toBe(items[offset]);
        return { items: JSON.stringify(chunk) };
      },
      onProgress: (done, total) => {
        expect(finished).toBe(false);
        progress.push([done, total]);
      },
    });
    const { doc, pages } = await render;
    finished = true;
    expect(progress).toEqual([
      [3, 7],
      [6, 7],
      [7, 7],
    ]);
    expect(pages).toBe(7);
    const file = scratch.write('chunks.pdf', await savePdf(doc));
    qpdfCheck(file);
    expect(pdfPageCount(file)).toBe(7);
    for (let p = 1; p <= 7; p++) expect(pdfText(file, p)).toContain(`Item: card-${p}`);
  });

  it('stops when a progress callback throws (a cancelled job), and when a chunk does not compile', async () => {
    const cancelled = await rejection(
      renderTypstChunks({
        source: LIST,
        items,
        chunkSize: 2,
        inputs: (chunk) => ({ items: JSON.stringify(chunk) }),
        onProgress: (done) => {
          if (done >= 4) throw new Error('cancelled by the planner');
        },
      }),
    );
    expect((cancelled as Error).message).toBe('cancelled by the planner');

    const broken = await rejection(
      renderTypstChunks({
        source: '#let items = json(bytes(sys.inputs.items))\n#for item in items { if item == "card-5" { panic("bad card") } ; [#item] }',
        items,
        chunkSize: 2,
        inputs: (chunk) => ({ items: JSON.stringify(chunk) }),
      }),
    );
    expect(broken).toBeInstanceOf(TypstRenderError);
    expect((broken as TypstRenderError).diagnostics).toContain('bad card');
  });
});
