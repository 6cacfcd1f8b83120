import { t } from '../../../capabilities/localization/messages.js';
import { escapeHtml, markup, raw, Raw } from '../../../kit/html.js';

/*
 * A UI string with markup in its placeholders: a guest's name goes into
 * "Dear {name}," inside <bdi>, so a Hebrew household on an English page (or
 * the reverse) keeps its own direction without turning the sentence around.
 * The sentence is formatted by ICU as text and escaped; only the values
 * given as markup go in as markup.
 */

const SENTINEL = '\u0001';

export function tm(locale: string, key: string, values: Record<string, string | number | Raw>): Raw {
  const plain: Record<string, string | number> = {};
  const marks = new Map<string, Raw>();
  Object.entries(values).forEach(([k, v], i) => {
    if (v instanceof Raw) {
      const token = `${SENTINEL}${i}${SENTINEL}`;
      plain[k] = token;
      marks.set(token, v);
    } else plain[k] = v;
  });
  const text = t(locale, key, plain);
  return raw(
    text
      .split(new RegExp(`(${SENTINEL}\\d+${SENTINEL})`))
      .map((part) => marks.get(part)?.value ?? escapeHtml(part))
      .join(''),
  );
}

/** A name or other text typed by a person, isolated from the direction of the sentence around it. */
export const isolated = (text: string) => markup`<bdi>${text}</bdi>`;
