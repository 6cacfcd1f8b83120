import type { TemplateKind, TemplateSource } from '../kinds.js';

/** The default templates of one language. */
export interface LocaleDefaults {
  email: Record<TemplateKind, TemplateSource>;
  /** Kinds that have an SMS default; the others are email only. */
  sms: Partial<Record<TemplateKind, string>>;
}

export interface EmailLayout {
  lang: string;
  dir: 'ltr' | 'rtl';
  /** Liquid; the top heading, also the document title. */
  heading: string;
  /** Liquid HTML blocks, built with the helpers below. */
  body: string[];
  /** The one call to action: a link variable (e.g. guestLink) and its label. */
  button?: { link: string; label: string; fallback: string; optional?: boolean };
  /** Liquid HTML blocks after the button, e.g. a signature. */
  closing?: string[];
  /** Liquid HTML; small print under the card (opt-out links). */
  footer?: string;
}

const FONT = 'Arial,Helvetica,sans-serif';
const INK = '#2d2a26';
const MUTED = '#5f5850';
const ACCENT = '#7a4e2d';
const PAGE = '#f4f1ec';

/**
 * One column, tables for layout and inline styles: what mail clients render alike. Colours keep
 * text at WCAG AA contrast (ink and muted on white, white on the accent button); the layout
 * tables are role="presentation" so screen readers read the text, not a grid.
 */
export function emailHtml(layout: EmailLayout): string {
  const align = layout.dir === 'rtl' ? 'right' : 'left';
  const button = layout.button ? buttonHtml(layout.button) : '';
  const footer = layout.footer
    ? `
<tr><td dir="${layout.dir}" style="padding:16px 32px 0;font-family:${FONT};font-size:13px;line-height:1.5;color:${MUTED};text-align:center;">${layout.footer}</td></tr>`
    : '';
  return `<!DOCTYPE html>
<html lang="${layout.lang}" dir="${layout.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${layout.heading}</title>
</head>
<body style="margin:0;padding:0;background-color:${PAGE};">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="background-color:${PAGE};">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="max-width:600px;">
<tr><td dir="${layout.dir}" style="padding:32px;background-color:#ffffff;border-radius:8px;font-family:${FONT};font-size:16px;line-height:1.6;color:${INK};text-align:${align};">
<h1 style="margin:0 0 24px;font-size:24px;line-height:1.3;color:${INK};">${layout.heading}</h1>
${layout.body.join('\n')}${button}${layout.closing ? `\n<div style="margin-top:24px;">${layout.closing.join('\n')}</div>` : ''}
</td></tr>${footer}
</table>
</td></tr>
</table>
</body>
</html>
`;
}

function buttonHtml(button: NonNullable<EmailLayout['button']>): string {
  const html = `
<table role="presentation" cellspacing="0" cellpadding="0" border="0" style="margin:8px 0 24px;">
<tr><td style="border-radius:6px;background-color:${ACCENT};">
<a href="{{ ${button.link} }}" style="display:inline-block;padding:14px 28px;font-family:${FONT};font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">${button.label}</a>
</td></tr>
</table>
<p style="margin:0;font-size:13px;line-height:1.5;color:${MUTED};">${button.fallback}<br><a href="{{ ${button.link} }}" dir="ltr" style="color:${ACCENT};word-break:break-all;">{{ ${button.link} }}</a></p>`;
  return button.optional ? `\n{% if ${button.link} %}${html}\n{% endif %}` : html;
}

export const paragraph = (html: string) => `<p style="margin:0 0 16px;">${html}</p>`;

/** A bulleted list; the bullet's side follows the text direction. */
export const list = (dir: 'ltr' | 'rtl', items: string) =>
  `<ul style="margin:0 0 16px;padding:${dir === 'rtl' ? '0 20px 0 0' : '0 0 0 20px'};">${items}</ul>`;

export const quote = (dir: 'ltr' | 'rtl', html: string) =>
  `<blockquote style="margin:0 0 24px;padding:12px 16px;border-${dir === 'rtl' ? 'right' : 'left'}:4px solid ${ACCENT};background-color:${PAGE};color:${INK};white-space:pre-line;">${html}</blockquote>`;

export const footerLink = (link: string, label: string) => `<a href="{{ ${link} }}" style="color:${MUTED};text-decoration:underline;">${label}</a>`;
