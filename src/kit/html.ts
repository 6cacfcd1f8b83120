/*
 * Server-rendered HTML (the guest's pages, a message link's pages): every
 * interpolated value is text and is escaped, unless the caller marks markup it
 * built itself from escaped parts with `raw()`. Pages are built with the `markup` tag. A planner's or guest's string
 * (an event name with `<script>`, a translation with `<b>`) can never become markup.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** Markup already made safe (built with `markup`). */
export class Raw {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

export const raw = (markup: string) => new Raw(markup);

type Part = string | number | Raw | null | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Raw) return part.value;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
  return escapeHtml(String(part));
}

/**
 * A template literal whose values are escaped (arrays joined, null/false dropped); the result nests without re-escaping.
 * Not named `html`: Prettier would reformat such templates as HTML, changing the bytes sent (and the inline style's hash).
 */
export function markup(strings: TemplateStringsArray, ...values: Part[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => (out += render(v) + strings[i + 1]!));
  return new Raw(out);
}
