import { compile } from 'html-to-text';
import { checkTemplate } from './check.js';
import type { Channel, RenderedMessage, TemplateKind, TemplatePart, TemplateSource } from './kinds.js';
import { engine, modeOf, parse, problemFromLiquid, TEMPLATE_LIMITS } from './sandbox.js';
import { TemplateError } from './template-error.js';
import { parseVariables, type TemplateVariables } from './variables.js';

/**
 * Renders a template for one recipient. Throws TemplateError when the template has problems
 * (checkTemplate's, or one met while rendering: a limit, a failing filter, an SMS too long), and a
 * plain Error when the variables do not fit the kind (the caller's bug).
 */
export async function renderTemplate<K extends TemplateKind>(
  kind: K,
  channel: Channel,
  source: TemplateSource,
  variables: TemplateVariables<K>,
): Promise<RenderedMessage> {
  const problems = checkTemplate(kind, channel, source);
  if (problems.length) throw new TemplateError(problems);
  const scope = parseVariables(kind, variables);
  if (channel === 'SMS') {
    const text = plainText(await renderPart('text', source.text ?? '', scope));
    const length = [...text].length;
    if (length > TEMPLATE_LIMITS.smsChars) {
      throw new TemplateError([
        {
          part: 'text',
          line: 1,
          column: 1,
          code: 'TOO_LARGE',
          message: `The message is ${length} characters; an SMS takes at most ${TEMPLATE_LIMITS.smsChars}.`,
        },
      ]);
    }
    return { subject: null, html: null, text };
  }
  const subject = headerSafe(await renderPart('subject', source.subject ?? '', scope));
  const html = await renderPart('html', source.html ?? '', scope);
  const text = source.text !== null && source.text.trim() !== '' ? plainText(await renderPart('text', source.text, scope)) : textOf(html);
  return { subject, html, text };
}

async function renderPart(part: TemplatePart, source: string, scope: Record<string, unknown>): Promise<string> {
  const parsed = parse(part, source);
  // checkTemplate parsed the same source a moment ago: this is the cached result.
  if (!parsed.ok) throw new TemplateError([parsed.problem]);
  let output: unknown;
  try {
    output = await engine(modeOf(part)).render(parsed.templates, scope);
  } catch (error) {
    throw new TemplateError([problemFromLiquid(part, error, 'render')]);
  }
  const rendered = String(output);
  if (rendered.length > TEMPLATE_LIMITS.outputChars) {
    throw new TemplateError([
      {
        part,
        line: 1,
        column: 1,
        code: 'TOO_LARGE',
        message: `The rendered ${part} has ${rendered.length} characters; at most ${TEMPLATE_LIMITS.outputChars}.`,
      },
    ]);
  }
  return rendered;
}

/** C0 and C1 controls (CR and LF among them) and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * A subject goes into a mail header: a value with "\r\nBcc: ..." must not start a header of its
 * own, so every control character becomes a space, whitespace runs become one space, and the
 * result is capped (whole code points, with an ellipsis).
 */
export function headerSafe(subject: string): string {
  const line = subject.replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...line];
  if (chars.length <= TEMPLATE_LIMITS.subjectChars) return line;
  return `${chars
    .slice(0, TEMPLATE_LIMITS.subjectChars - 1)
    .join('')
    .trimEnd()}…`;
}

/** Template whitespace (indentation around tags, blank lines left by `{% if %}`) out of a plain-text body. */
function plainText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Compiled once: html-to-text's convert() compiles its options on every call (~13% of a sender's CPU in the bench). */
const toText = compile({
  wordwrap: 78,
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
  ],
});

function textOf(html: string): string {
  return plainText(toText(html));
}
