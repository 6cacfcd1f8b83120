import { escapeHtml } from '../../kit/html.js';
/**
 * The small pages behind a message's links, in the message's language
 * (English and Hebrew, right to left), with no script and one inline style:
 * they must work on any phone's mail client browser.
 */
export interface PageStrings {
  lang: string;
  dir: 'ltr' | 'rtl';
  linkInvalidTitle: string;
  linkInvalid: string;
  linkExpired: string;
  unsubscribeTitle: string;
  unsubscribeAsk: (occasion: string) => string;
  unsubscribeButton: string;
  unsubscribedTitle: string;
  unsubscribed: (occasion: string) => string;
  preferencesTitle: string;
  preferencesIntro: (occasion: string) => string;
  category: { INVITATIONS: string; ANNOUNCEMENTS: string };
  transactionalNote: string;
  save: string;
  saved: string;
  managePreferences: string;
}

const EN: PageStrings = {
  lang: 'en',
  dir: 'ltr',
  linkInvalidTitle: 'This link does not work',
  linkInvalid: 'The link is not valid. Use the newest message you received, or ask the hosts.',
  linkExpired: 'The link has expired. Use the newest message you received, or ask the hosts.',
  unsubscribeTitle: 'Unsubscribe',
  unsubscribeAsk: (o) => `Stop receiving messages like this one about ${o}?`,
  unsubscribeButton: 'Unsubscribe',
  unsubscribedTitle: 'You are unsubscribed',
  unsubscribed: (o) => `You will no longer receive messages like this one about ${o}. Confirmations of your own answers still arrive.`,
  preferencesTitle: 'Your email preferences',
  preferencesIntro: (o) => `Choose which emails you receive about ${o}.`,
  category: { INVITATIONS: 'Invitations and reminders to answer', ANNOUNCEMENTS: 'Announcements and news from the hosts' },
  transactionalNote: 'Confirmations of your answers and replies to your messages are always sent.',
  save: 'Save',
  saved: 'Saved.',
  managePreferences: 'Manage your email preferences',
};

// An occasion's name goes after "לאירוע:", never straight after the prefix ל־, which would have to swallow the
// name's own article (ל + החתונה is לחתונה): the default message templates write it the same way.
const HE: PageStrings = {
  lang: 'he',
  dir: 'rtl',
  linkInvalidTitle: 'הקישור אינו פועל',
  linkInvalid: 'הקישור אינו תקין. השתמשו בהודעה האחרונה שקיבלתם, או פנו למארחים.',
  linkExpired: 'תוקף הקישור פג. השתמשו בהודעה האחרונה שקיבלתם, או פנו למארחים.',
  unsubscribeTitle: 'הסרה מרשימת התפוצה',
  unsubscribeAsk: (o) => `להפסיק לקבל הודעות כמו זו בנוגע לאירוע: ${o}?`,
  unsubscribeButton: 'הסרה',
  unsubscribedTitle: 'הוסרתם מהרשימה',
  unsubscribed: (o) => `לא תקבלו עוד הודעות כמו זו בנוגע לאירוע: ${o}. אישורים על התשובות שלכם ימשיכו להגיע.`,
  preferencesTitle: 'העדפות הדוא״ל שלכם',
  preferencesIntro: (o) => `בחרו אילו הודעות דוא״ל תקבלו בנוגע לאירוע: ${o}.`,
  category: { INVITATIONS: 'הזמנות ותזכורות להשיב', ANNOUNCEMENTS: 'הודעות ועדכונים מהמארחים' },
  transactionalNote: 'אישורים על התשובות שלכם ותשובות להודעות שלכם נשלחים תמיד.',
  save: 'שמירה',
  saved: 'נשמר.',
  managePreferences: 'ניהול העדפות הדוא״ל',
};

/** The languages these pages are written in. */
export const PAGE_LOCALES = ['en', 'he'] as const;

export function pageStrings(locale: string): PageStrings {
  return locale.toLowerCase().split('-')[0] === 'he' ? HE : EN;
}

/** Title and message are text (escaped here); `form` is markup built by the caller from escaped parts. */
export function linkPage(s: PageStrings, title: string, message: string, preferencesHref?: string, form = ''): string {
  const link = preferencesHref ? `<p><a href="${escapeHtml(preferencesHref)}">${escapeHtml(s.managePreferences)}</a></p>` : '';
  return `<!doctype html>
<html lang="${s.lang}" dir="${s.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#faf8f5;margin:0;padding:2rem 1rem}main{max-width:32rem;margin:auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 3px #0002}h1{font-size:1.4rem;margin-top:0}button{font:inherit;padding:.7rem 1.4rem;border:0;border-radius:8px;background:#5b3a8c;color:#fff;cursor:pointer}button:focus-visible,a:focus-visible,input:focus-visible{outline:3px solid #f0a500;outline-offset:2px}.note{color:#555;font-size:.9rem}a{color:#5b3a8c}</style>
</head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${form}${link}</main></body></html>`;
}
