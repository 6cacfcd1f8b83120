/**
 * The Typst compiler's thread (started by typst.ts). Compiling is one synchronous
 * native call that takes seconds for a few thousand pages; here it blocks only this
 * thread. Plain CommonJS, not TypeScript: a worker runs outside whatever compiles the
 * TypeScript (vitest, tsx), and the build copies this file beside the compiled typst.js.
 *
 * Jobs arrive in order on the port and run one at a time; each answers
 * { id, ok: true, pdf, pages } or { id, ok: false, diagnostics }.
 */
const { Buffer } = require('node:buffer');
const { parentPort } = require('node:worker_threads');
const { NodeCompiler } = require('@myriaddreamin/typst-ts-node-compiler');

/**
 * The compiler's root for absolute paths: under /dev/null, a file, so no such directory
 * can exist. A template reads only what a job maps in (images), never the server's disk.
 */
const WORKSPACE = '/dev/null/tovplus-typst';
const compiler = NodeCompiler.create({ workspace: WORKSPACE });

/** Typst's diagnostics as text: severity 1 is an error, 2 a warning, others the trace ("while calling card"). */
function describe(diagnostics) {
  return (diagnostics ?? [])
    .map((d) => {
      const where = d.range ? ` (${String(d.path ?? '').replace(WORKSPACE, '')} ${d.range})` : '';
      const hints = (d.hints ?? []).map((h) => `\n  hint: ${h}`).join('');
      const kind = d.severity === 1 ? 'error: ' : d.severity === 2 ? 'warning: ' : '  ';
      return `${kind}${d.message}${where}${hints}`;
    })
    .join('\n');
}

function run({ source, inputs, files }) {
  compiler.resetShadow();
  for (const [path, bytes] of Object.entries(files ?? {}))
    compiler.mapShadow(WORKSPACE + path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  try {
    const compiled = compiler.compile({ mainFileContent: source, inputs: inputs ?? {} });
    if (compiled.hasError()) {
      const error = compiled.takeError();
      return { ok: false, diagnostics: describe(error?.shortDiagnostics) || `Typst failed (${error?.kind ?? 'unknown'})` };
    }
    const doc = compiled.result;
    // Untagged: the accessibility tree is of no use to a printer and pdf-lib drops it when merging.
    const pdf = compiler.pdf(doc, { pdfTags: false });
    return { ok: true, pdf: new Uint8Array(pdf), pages: doc.numOfPages };
  } finally {
    compiler.resetShadow();
    // Typst memoises across compilations; keep what the next chunk of the same layout reuses, not every job's.
    compiler.evictCache(10);
  }
}

parentPort.on('message', (job) => {
  let answer;
  try {
    answer = run(job);
  } catch (e) {
    answer = { ok: false, diagnostics: e instanceof Error ? e.message : String(e) };
  }
  if (answer.ok) parentPort.postMessage({ id: job.id, ...answer }, [answer.pdf.buffer]);
  else parentPort.postMessage({ id: job.id, ...answer });
});
