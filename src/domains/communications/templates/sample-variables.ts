import { defaultLocaleFor } from './defaults.js';
import type { TemplateKind } from './kinds.js';
import type { TemplateVariables } from './variables.js';

/** Links on a reserved test domain: previews must not point anywhere real. */
const BASE = 'https://rsvp.tovplus.test';

interface Sample {
  occasion: { name: string; timezone: string; locale: string };
  recipient: { displayName: string; firstName: string };
  sender: { name: string };
  household: { displayName: string; people: { displayName: string }[] };
  events: { name: string; startsAt: string | null; location: string | null }[];
  deadline: string;
  attendees: string[];
  answers: { question: string; answer: string }[];
  declined: string;
  inviter: string;
  role: string;
  expiresAt: string;
  excerpt: string;
  task: { title: string; dueAt: string };
  assignee: string;
}

const SAMPLES: Record<'en' | 'he', Sample> = {
  en: {
    occasion: { name: "Dana & Yoav's Wedding", timezone: 'Europe/London', locale: 'en' },
    recipient: { displayName: 'Miriam Cohen', firstName: 'Miriam' },
    sender: { name: 'Dana & Yoav' },
    household: { displayName: 'The Cohen family', people: [{ displayName: 'Miriam Cohen' }, { displayName: 'David Cohen' }] },
    events: [
      { name: 'Ceremony', startsAt: 'Thursday, 12 June 2025, 6:00 pm', location: 'The Old Orchard, Kent' },
      { name: 'Dinner and dancing', startsAt: 'Thursday, 12 June 2025, 7:30 pm', location: 'The Old Orchard, Kent' },
    ],
    deadline: '15 May 2025',
    attendees: ['Miriam Cohen', 'David Cohen'],
    answers: [{ question: 'Dietary requirements?', answer: 'Vegetarian' }],
    declined: 'Friday brunch',
    inviter: 'Dana Levi',
    role: 'Editor',
    expiresAt: '20 May 2025',
    excerpt: 'Hi Miriam! Yes, there is free parking next to the venue.\nSee you soon!',
    task: { title: 'Call The Cohen family', dueAt: 'Thursday, 8 May 2025 at 19:00' },
    assignee: 'Noa Levi',
  },
  he: {
    occasion: { name: 'החתונה של דנה ויואב', timezone: 'Asia/Jerusalem', locale: 'he' },
    recipient: { displayName: 'מרים כהן', firstName: 'מרים' },
    sender: { name: 'דנה ויואב' },
    household: { displayName: 'משפחת כהן', people: [{ displayName: 'מרים כהן' }, { displayName: 'דוד כהן' }] },
    events: [
      { name: 'חופה', startsAt: 'יום חמישי, 12 ביוני 2025, 19:00', location: 'גן האירועים "השקד", זכרון יעקב' },
      { name: 'קבלת פנים וריקודים', startsAt: 'יום חמישי, 12 ביוני 2025, 19:30', location: 'גן האירועים "השקד", זכרון יעקב' },
    ],
    deadline: '15 במאי 2025',
    attendees: ['מרים כהן', 'דוד כהן'],
    answers: [{ question: 'העדפות תזונה?', answer: 'צמחוני' }],
    declined: 'בראנץ׳ ביום שישי',
    inviter: 'דנה לוי',
    role: 'עריכה',
    expiresAt: '20 במאי 2025',
    excerpt: 'היי מרים! כן, יש חניה חינם ליד המקום.\nנתראה בקרוב!',
    task: { title: 'להתקשר למשפחת כהן', dueAt: 'יום חמישי, 8 במאי 2025 בשעה 19:00' },
    assignee: 'נועה לוי',
  },
};

/** Realistic variables for previews and for trying a template out; Hebrew for Hebrew locales, else English. */
export function sampleVariables<K extends TemplateKind>(kind: K, locale: string): TemplateVariables<K> {
  const s = SAMPLES[defaultLocaleFor(locale) === 'he' ? 'he' : 'en'];
  const common = { occasion: s.occasion, recipient: s.recipient, sender: s.sender };
  const guestLink = `${BASE}/g/7Hq2xKp9`;
  const optOut = { unsubscribeUrl: `${BASE}/u/7Hq2xKp9`, preferencesUrl: `${BASE}/p/7Hq2xKp9` };
  const invitation = { ...common, guestLink, deadline: s.deadline, events: s.events, household: s.household, ...optOut };
  const all: { [T in TemplateKind]: TemplateVariables<T> } = {
    RSVP_INVITATION: invitation,
    RSVP_REMINDER: { ...invitation, daysLeft: 5 },
    RSVP_CONFIRMATION: {
      ...common,
      guestLink,
      responses: [
        { eventName: s.events[0]?.name ?? '', attending: true, attendees: s.attendees, answers: s.answers },
        { eventName: s.declined, attending: false, attendees: [], answers: [] },
      ],
      deadline: s.deadline,
      preferencesUrl: optOut.preferencesUrl,
    },
    COLLABORATOR_INVITATION: { ...common, inviterName: s.inviter, role: s.role, acceptUrl: `${BASE}/invite/c4Nw8Tz1`, expiresAt: s.expiresAt },
    ANNOUNCEMENT: { ...common, guestLink, ...optOut },
    THREAD_MESSAGE: { ...common, senderName: s.inviter, excerpt: s.excerpt, replyUrl: `${BASE}/threads/m5Rb3Yd6` },
    TASK_REMINDER: { ...common, task: { ...s.task, priority: 'NORMAL' }, taskUrl: `${BASE}/tasks/k2Vd9Qa4` },
    TASK_OVERDUE: { ...common, task: { ...s.task, priority: 'HIGH' }, assigneeName: s.assignee, taskUrl: `${BASE}/tasks/k2Vd9Qa4` },
  };
  return structuredClone(all[kind]);
}
