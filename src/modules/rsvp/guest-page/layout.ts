import { createHash } from 'node:crypto';
import { direction } from '../../../capabilities/localization/locales.js';
import { t } from '../../../capabilities/localization/messages.js';
import { markup, raw, type Raw } from '../../../kit/html.js';

/*
 * The guest page's shell: phone first, no script, one small stylesheet inline
 * (one request on a slow network; allowed by its hash, so the page's CSP
 * still refuses any other style or script). Direction and language come from
 * the locale, so Hebrew and Arabic lay out right to left with the same CSS
 * (logical properties: margin-inline-start, not margin-left).
 */

/** Deep plum: 9.4:1 with white, so buttons and the header read at AA whatever the occasion's colour. */
const DEFAULT_ACCENT = '#5b3a8c';

const BASE_CSS = `*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans Hebrew","Noto Sans",Arial,sans-serif;color:#1c1b1f;background:#f6f4f1}
a{color:var(--accent)}
.brand{background:var(--accent);color:#fff;padding:.9rem 1rem}
.brand-in{max-width:36rem;margin:0 auto;display:flex;flex-wrap:wrap;gap:.5rem 1rem;justify-content:space-between;align-items:center}
.brand p{margin:0;font-weight:700;font-size:1.1rem}
.brand ul{list-style:none;margin:0;padding:0;display:flex;gap:.25rem}
.brand a{color:#fff;display:inline-block;padding:.35rem .6rem;border-radius:6px}
.brand a[aria-current]{background:#fff;color:var(--accent);text-decoration:none;font-weight:700}
main,footer{max-width:36rem;margin:0 auto;padding:1rem}
h1{font-size:1.45rem;line-height:1.25;margin:.5rem 0}
fieldset.event{background:#fff;border:1px solid #d6d1ca;border-radius:12px;padding:1rem;margin:1.25rem 0}
fieldset.event>legend{font-weight:700;font-size:1.2rem;padding:0 .25rem}
fieldset fieldset{border:0;padding:0;margin:1rem 0 0;min-width:0}
fieldset fieldset>legend{font-weight:600;padding:0}
.opt{display:flex;gap:.6rem;align-items:center;min-height:44px}
.opt input{width:1.35rem;height:1.35rem;margin:0;flex:none;accent-color:var(--accent)}
.field{margin:.75rem 0}
.field>label,.lbl{display:block;font-weight:600;margin-bottom:.25rem}
input[type=text],input[type=number],textarea{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid #6f6a64;border-radius:8px;background:#fff;color:inherit}
textarea{min-height:5rem}
button{font:inherit;font-weight:700;width:100%;min-height:48px;padding:.7rem 1rem;border:0;border-radius:10px;background:var(--accent);color:#fff;cursor:pointer}
:focus-visible{outline:3px solid #b35c00;outline-offset:2px}
.meta{margin:.15rem 0;color:#4a4640}
.meta b{color:#1c1b1f}
.saved{margin:.5rem 0 0;font-weight:600}
.status{background:#e7f4ea;border:1px solid #2e7d32;border-radius:8px;padding:.75rem 1rem;font-weight:600}
.errors{background:#fdecea;border:1px solid #b3261e;border-radius:8px;padding:.75rem 1rem}
.errors h2{font-size:1.05rem;margin:0 0 .25rem}
.err{color:#b3261e;font-weight:600;margin:.5rem 0}
.req{color:#4a4640;font-weight:400;font-size:.9rem}
.note{color:#4a4640;font-size:.95rem}
fieldset.event:has(input[value=DECLINED]:checked) .if-attending{display:none}
`;

/** #RRGGBB → relative luminance (WCAG 2.2). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** White text on it, and it as text on white, at 4.5:1 or better (WCAG 2.2 AA for body text). */
export function readableAccent(color: unknown): string {
  if (typeof color !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(color)) return DEFAULT_ACCENT;
  return 1.05 / (luminance(color) + 0.05) >= 4.5 ? color.toLowerCase() : DEFAULT_ACCENT;
}

export interface Shell {
  locale: string;
  title: string;
  /** The occasion's name in the header; absent on a page that knows no occasion (a link that does not work). */
  occasionName?: string;
  accent?: string;
  /** Other languages to offer: href per locale. */
  languages?: { locale: string; label: string; href: string }[];
  body: Raw;
  /** Rules of this page only (generated from checked data, never from what someone typed). */
  css?: string;
  footer?: Raw;
}

export function page(s: Shell): { html: string; styleHash: string } {
  const css = `:root{--accent:${s.accent ?? DEFAULT_ACCENT}}\n${BASE_CSS}${s.css ? `${s.css}\n` : ''}`;
  // The stylesheet is ours (the accent is a checked #RRGGBB): it goes in exactly as hashed, or the CSP refuses it.
  const styleHash = `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
  const langs = s.languages?.length
    ? markup`<nav aria-label="${t(s.locale, 'guest.language')}"><ul>${s.languages.map(
        (l) =>
          markup`<li><a href="${l.href}" hreflang="${l.locale}" lang="${l.locale}"${l.locale === s.locale ? markup` aria-current="true"` : ''}>${l.label}</a></li>`,
      )}</ul></nav>`
    : '';
  const doc = markup`<!doctype html>
<html lang="${s.locale}" dir="${direction(s.locale)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${s.title}</title>
<style>${raw(css)}</style>
</head>
<body><header class="brand"><div class="brand-in"><p><bdi>${s.occasionName ?? 'Tov+'}</bdi></p>${langs}</div></header>
<main id="main">${s.body}</main>${s.footer ? markup`<footer>${s.footer}</footer>` : ''}
</body></html>`;
  return { html: doc.value, styleHash };
}
