import { textDirection } from './kinds.js';

/**
 * A planner's own html in a right-to-left language must say so, or mail
 * clients lay Hebrew out left to right (punctuation at the wrong end, lists
 * on the wrong side). A whole document gets dir (and lang) on its root unless
 * it sets dir itself; a fragment is wrapped in one element that does. The
 * built-in templates set both already and pass through unchanged, as does
 * anything left to right.
 */
export function withTextDirection(html: string, locale: string): string {
  if (textDirection(locale) !== 'rtl') return html;
  // Locales are language tags; a preview's comes from the caller, so only tag characters reach the attribute.
  const lang = locale.replace(/[^A-Za-z0-9-]/g, '');
  const root = /<html\b([^>]*)>/i.exec(html);
  if (!root) return `<div dir="rtl" lang="${lang}">${html}</div>`;
  const attributes = root[1] ?? '';
  if (/\sdir\s*=/i.test(attributes)) return html;
  const added = /\slang\s*=/i.test(attributes) ? ' dir="rtl"' : ` dir="rtl" lang="${lang}"`;
  return `${html.slice(0, root.index)}<html${added}${attributes}>${html.slice(root.index + root[0].length)}`;
}
