import { Liquid, LiquidError, type Template } from 'liquidjs';
import type { TemplatePart } from './kinds.js';
import type { TemplateProblem, TemplateProblemCode } from './template-error.js';

/** The bounds a planner's template lives in. */
export const TEMPLATE_LIMITS = {
  /** Per part, UTF-8 bytes of Liquid source. */
  partBytes: 100 * 1024,
  /** Wall time of one part's render; checked between nodes, so a loop ends soon after. */
  renderMs: 500,
  /** liquidjs's allocation units: range sizes, strings made by filters, array copies. */
  memory: 10_000_000,
  /** Rendered size of one part. Mail clients clip long before this. */
  outputChars: 1_000_000,
  smsChars: 1600,
  subjectChars: 200,
} as const;

/** File tags: templates live in the database, and reading the server's disk is no planner's business. */
const REFUSED_TAGS = ['include', 'render', 'layout'] as const;

/**
 * `raw` is the one opt-out of output escaping: without it, `{{ x | raw }}` is an unknown filter.
 * `sample` is random and the date filters read the clock and the server's zone: a render must
 * depend on its variables only (dates arrive pre-formatted).
 */
const REMOVED_FILTERS = ['raw', 'sample', 'date', 'date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string'] as const;

class RefusedTagError extends Error {}

function sandboxed(escapeOutput: boolean): Liquid {
  const liquid = new Liquid({
    // An empty in-memory file map: even a lookup that slipped past the refused tags finds nothing on disk.
    templates: {},
    relativeReference: false,
    strictFilters: true,
    // Unknown globals are refused statically (checkTemplate); an absent optional field renders empty.
    strictVariables: false,
    ownPropertyOnly: true,
    outputEscape: escapeOutput ? 'escape' : undefined,
    parseLimit: TEMPLATE_LIMITS.partBytes,
    renderLimit: TEMPLATE_LIMITS.renderMs,
    memoryLimit: TEMPLATE_LIMITS.memory,
  });
  for (const name of REFUSED_TAGS) {
    liquid.registerTag(name, {
      parse() {
        throw new RefusedTagError(`The "${name}" tag is not available: a template cannot load other files.`);
      },
      render() {},
    });
  }
  for (const name of REMOVED_FILTERS) liquid.unregisterFilter(name);
  return liquid;
}

/** html parts escape every output; subject and text parts are plain text. */
export type OutputMode = 'html' | 'plain';
export const modeOf = (part: TemplatePart): OutputMode => (part === 'html' ? 'html' : 'plain');

const engines: Record<OutputMode, Liquid> = { html: sandboxed(true), plain: sandboxed(false) };

export function engine(mode: OutputMode): Liquid {
  return engines[mode];
}

/** A Map that forgets its least recently used entry beyond `max`. */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
}

export type Parsed = { ok: true; templates: Template[] } | { ok: false; problem: TemplateProblem };

const parsedCache = new BoundedCache<Parsed>(500);

/** Parses once per (part, source); a failed parse is remembered too, it fails the same way every time. */
export function parse(part: TemplatePart, source: string): Parsed {
  const mode = modeOf(part);
  const key = `${part}\u0000${source}`;
  const cached = parsedCache.get(key);
  if (cached) return cached;
  let parsed: Parsed;
  try {
    parsed = { ok: true, templates: engine(mode).parse(source) };
  } catch (error) {
    parsed = { ok: false, problem: problemFromLiquid(part, error, 'parse') };
  }
  parsedCache.set(key, parsed);
  return parsed;
}

export function problemFromLiquid(part: TemplatePart, error: unknown, phase: 'parse' | 'render'): TemplateProblem {
  if (!LiquidError.is(error)) throw error;
  const original = (error as { originalError?: unknown }).originalError;
  const token = (error as { token?: { getPosition(): number[] } }).token;
  const [line = 1, column = 1] = token?.getPosition() ?? [];
  // liquidjs appends ", line:2, col:3" to its messages; the position has fields of its own.
  const message = (original instanceof Error ? original.message : error.message).replace(/, line:\d+, col:\d+$/, '');
  return { part, line, column, message, code: codeOf(original, message, phase) };
}

function codeOf(original: unknown, message: string, phase: 'parse' | 'render'): TemplateProblemCode {
  if (original instanceof RefusedTagError) return 'NOT_ALLOWED';
  if (message.startsWith('undefined filter')) return 'UNKNOWN_FILTER';
  if (message.includes('limit exceeded')) return phase === 'parse' ? 'TOO_LARGE' : 'LIMIT_EXCEEDED';
  return phase === 'parse' ? 'SYNTAX' : 'RENDER_FAILED';
}
