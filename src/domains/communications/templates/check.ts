import type { Channel, TemplateKind, TemplatePart, TemplateSource } from './kinds.js';
import { BoundedCache, engine, modeOf, parse, TEMPLATE_LIMITS } from './sandbox.js';
import type { TemplateProblem } from './template-error.js';
import { linkVariables, pathProblem, variableShape } from './variable-shape.js';

const PARTS: readonly TemplatePart[] = ['subject', 'html', 'text'];

/** Which parts a channel takes: required, optional (text of an email) or not allowed. */
const PARTS_OF: Record<Channel, Record<TemplatePart, 'required' | 'optional' | 'absent'>> = {
  EMAIL: { subject: 'required', html: 'required', text: 'optional' },
  SMS: { subject: 'absent', html: 'absent', text: 'required' },
};

const checked = new BoundedCache<TemplateProblem[]>(500);

/**
 * Everything that can be known without variables: the channel's parts, their size, Liquid syntax
 * (the first error of each part, with its line and column), filters, tags, and every global the
 * template reads checked against the kind's variables. Names the template defines itself
 * (assign, capture, for, increment) are not globals.
 */
export function checkTemplate(kind: TemplateKind, channel: Channel, source: TemplateSource): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const part of PARTS) {
    const rule = PARTS_OF[channel][part];
    const text = source[part];
    const present = text !== null && text.trim() !== '';
    if (!present) {
      if (rule === 'required') problems.push(at(part, 'MISSING_PART', `A${part === 'html' ? 'n' : ''} ${part} is required for ${channel}.`));
      continue;
    }
    if (rule === 'absent') {
      problems.push(at(part, 'NOT_ALLOWED', `${channel} messages have no ${part}.`));
      continue;
    }
    problems.push(...checkPart(kind, part, text));
  }
  return problems;
}

function checkPart(kind: TemplateKind, part: TemplatePart, source: string): TemplateProblem[] {
  const key = `${kind}\u0000${part}\u0000${source}`;
  let problems = checked.get(key);
  if (!problems) {
    problems = uncachedCheck(kind, part, source);
    checked.set(key, problems);
  }
  return problems;
}

function uncachedCheck(kind: TemplateKind, part: TemplatePart, source: string): TemplateProblem[] {
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > TEMPLATE_LIMITS.partBytes) {
    return [at(part, 'TOO_LARGE', `The ${part} is ${Math.ceil(bytes / 1024)} KB; at most ${TEMPLATE_LIMITS.partBytes / 1024} KB.`)];
  }
  const parsed = parse(part, source);
  if (!parsed.ok) return [parsed.problem];
  const problems: TemplateProblem[] = [];
  const shape = variableShape(kind);
  const analysis = engine(modeOf(part)).analyzeSync(parsed.templates, { partials: false });
  for (const uses of Object.values(analysis.globals)) {
    for (const use of uses) {
      const why = pathProblem(shape, use.toArray());
      if (why)
        problems.push({
          part,
          line: use.location.row,
          column: use.location.col,
          code: 'UNKNOWN_VARIABLE',
          message: `Unknown variable "${use.toString()}": ${why}.`,
        });
    }
  }
  if (part === 'html') problems.push(...linkProblems(kind, source));
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** A link attribute whose value starts with an output (`href="{{ x }}"`, `src={{- x -}}`) or a tag. */
const LINK_ATTRIBUTE = /\b(?:href|src|action|formaction|background|poster|xlink:href)\s*=\s*["']?\s*(?:\{\{-?([^}]*?)-?\}\}|\{%)/gi;
const APPEND_ONLY = /^(?:\|\s*append\s*:\s*(?:"[^"]*"|'[^']*'|[\w.]+)\s*)*$/;

/**
 * Escaping keeps a value inside its attribute but not out of its scheme: a guest named
 * "javascript:alert(1)" in `href="{{ recipient.displayName }}"` would be a script link. So an
 * attribute that takes a URL may start with a link variable (http(s), checked in the variables'
 * schema), optionally with `| append: ...`, or with literal text such as "https://" or "mailto:"
 * that fixes the scheme before any value; not with a tag (`{% if %}` could output anything). This
 * guards against values, not against the planner: literal `javascript:` text is the planner's own.
 */
function linkProblems(kind: TemplateKind, source: string): TemplateProblem[] {
  const links = new Set(linkVariables(kind));
  const problems: TemplateProblem[] = [];
  for (const match of source.matchAll(LINK_ATTRIBUTE)) {
    const startsWithTag = match[1] === undefined;
    const expression = (match[1] ?? '').trim();
    const pipe = expression.indexOf('|');
    const head = (pipe < 0 ? expression : expression.slice(0, pipe)).trim();
    const filters = pipe < 0 ? '' : expression.slice(pipe).trim();
    if (!startsWithTag && links.has(head) && APPEND_ONLY.test(filters)) continue;
    const outputAt = match.index + match[0].search(/\{[{%]/);
    const { line, column } = position(source, outputAt);
    const allowed = [...links].map((l) => `{{ ${l} }}`).join(', ') || 'none for this kind of message';
    problems.push({
      part: 'html',
      line,
      column,
      code: 'NOT_ALLOWED',
      message: `A link must start with a link variable (${allowed}) or with fixed text such as "https://", not with ${startsWithTag ? 'a tag' : `"{{ ${expression} }}"`}.`,
    });
  }
  return problems;
}

function position(source: string, index: number): { line: number; column: number } {
  const before = source.slice(0, index);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: index - lineStart + 1 };
}

function at(part: TemplatePart, code: TemplateProblem['code'], message: string): TemplateProblem {
  return { part, line: 1, column: 1, code, message };
}
