import { t } from '../../../capabilities/localization/messages.js';
import { markup } from '../../../kit/html.js';
import type { Shell } from './layout.js';
import { languageLinks } from './http.js';
import { chosenField } from './rsvp-page.render.js';
import { isolated, tm } from './i18n-markup.js';

/*
 * The pages a guest sees instead of their invitation: a link that does not
 * work (unknown, tampered), was replaced, or expired; no session yet (with a
 * box for the code printed on a paper invitation); too many attempts. Each
 * says what to do next, in the guest's language; none says whose link it was.
 */

export type LinkProblem = 'invalid' | 'revoked' | 'expired';

export function problemPage(locale: string, problem: LinkProblem, chosen: string | null = null): Shell {
  const title = t(locale, `guest.${problem}.title`);
  return {
    locale,
    title,
    languages: languageLinks(),
    body: markup`<h1>${title}</h1><p>${t(locale, `guest.${problem}.body`)}</p>${codeForm(locale, false, chosen)}`,
  };
}

export function noSessionPage(locale: string, codeError = false, chosen: string | null = null): Shell {
  const title = t(locale, 'guest.noSession.title');
  return {
    locale,
    title,
    languages: languageLinks(),
    body: markup`<h1>${title}</h1><p>${t(locale, 'guest.noSession.body')}</p>${codeForm(locale, codeError, chosen)}`,
  };
}

export function tooManyPage(locale: string): Shell {
  const title = t(locale, 'guest.tooMany.title');
  return { locale, title, body: markup`<h1>${title}</h1><p>${t(locale, 'guest.tooMany.body')}</p>` };
}

/** The code under a printed invitation's QR, typed by hand (a phone without a camera app, a guest reading it out). */
function codeForm(locale: string, error = false, chosen: string | null = null) {
  const described = error ? 'code-hint code-error' : 'code-hint';
  return markup`<form method="post" action="/r/" novalidate>${chosenField(chosen)}
<div class="field"><label for="code">${t(locale, 'guest.code.label')}</label>${
    error ? markup`<p class="err" id="code-error">${t(locale, 'guest.code.invalid')}</p>` : ''
  }<input type="text" id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" dir="ltr" aria-describedby="${described}"${
    error ? markup` aria-invalid="true"` : ''
  }><p class="note" id="code-hint">${tm(locale, 'guest.code.hint', { code: isolated('TOVP-K7QM-3XPA-…') })}</p></div>
<button type="submit">${t(locale, 'guest.code.submit')}</button></form>`;
}
