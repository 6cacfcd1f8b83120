import { emailHtml, footerLink, list, paragraph, quote, type LocaleDefaults } from './layout.js';

/*
 * Hebrew copy addresses guests in the plural (אתכם, תשובתכם) and asks with the infinitive
 * (נא לאשר הגעה), as invitations do: it reads naturally for a household and for one guest of
 * either gender. Names are never glued to a prefix letter (ל־, מ־): "לה" + "חתונה" is wrong Hebrew,
 * so they follow a colon or a separate word (מאת, של).
 */
const dir = 'rtl';
const greeting = paragraph('שלום {{ recipient.firstName | default: recipient.displayName }},');
const optOut = `קיבלתם הודעה זו כי הוזמנתם לאירוע: {{ occasion.name }}.<br>${footerLink('preferencesUrl', 'העדפות דיוור')} · ${footerLink('unsubscribeUrl', 'הסרה מרשימת התפוצה')}`;

const eventList = list(
  dir,
  `{% for event in events %}<li style="margin:0 0 8px;"><strong>{{ event.name }}</strong>{% if event.startsAt %}<br>{{ event.startsAt }}{% endif %}{% if event.location %}<br>{{ event.location }}{% endif %}</li>{% endfor %}`,
);
const invitedPeople = `{% if household.people.size > 0 %}${paragraph("ההזמנה עבור: {{ household.people | map: 'displayName' | join: ', ' }}.")}{% endif %}`;

const email = (layout: Omit<Parameters<typeof emailHtml>[0], 'lang' | 'dir'>) => emailHtml({ lang: 'he', dir, ...layout });
const fallback = 'אם הכפתור לא עובד, אפשר להעתיק את הקישור הזה לדפדפן:';

export const HE: LocaleDefaults = {
  email: {
    RSVP_INVITATION: {
      subject: 'הזמנה: {{ occasion.name }}',
      html: email({
        heading: 'הוזמנתם!',
        body: [
          greeting,
          paragraph('הזמנה מאת {{ sender.name }}: <strong>{{ occasion.name }}</strong>. נשמח מאוד לחגוג איתכם!'),
          `{% if events.size > 0 %}${eventList}{% endif %}`,
          invitedPeople,
          paragraph('{% if deadline %}נא לאשר הגעה עד <strong>{{ deadline }}</strong>.{% else %}נא לאשר הגעה.{% endif %}'),
        ],
        button: { link: 'guestLink', label: 'לאישור הגעה', fallback },
        footer: optOut,
      }),
      text: null,
    },
    RSVP_REMINDER: {
      subject: 'תזכורת לאישור הגעה: {{ occasion.name }}',
      html: email({
        heading: 'נשמח לשמוע מכם',
        body: [
          greeting,
          paragraph('עוד לא קיבלנו מכם תשובה להזמנה: <strong>{{ occasion.name }}</strong>.'),
          paragraph(
            '{% if daysLeft == 0 %}היום הוא היום האחרון לאישור הגעה.{% elsif daysLeft == 1 %}נותר יום אחד לאישור הגעה.{% elsif daysLeft == 2 %}נותרו יומיים לאישור הגעה.{% elsif daysLeft %}נותרו {{ daysLeft }} ימים לאישור הגעה.{% endif %}{% if deadline %} נא לאשר הגעה עד <strong>{{ deadline }}</strong>.{% endif %} זה לוקח פחות מדקה.',
          ),
          `{% if events.size > 0 %}${eventList}{% endif %}`,
        ],
        button: { link: 'guestLink', label: 'לאישור הגעה', fallback },
        footer: optOut,
      }),
      text: null,
    },
    RSVP_CONFIRMATION: {
      subject: 'קיבלנו את תשובתכם: {{ occasion.name }}',
      html: email({
        heading: 'תודה על התשובה',
        body: [
          paragraph('תודה, {{ recipient.firstName | default: recipient.displayName }}! אלה הפרטים שרשמנו עבור <strong>{{ occasion.name }}</strong>:'),
          list(
            dir,
            `{% for response in responses %}<li style="margin:0 0 12px;"><strong>{{ response.eventName }}</strong>: {% if response.attending %}מגיעים{% if response.attendees.size > 0 %} ({{ response.attendees | join: ', ' }}){% endif %}{% else %}לא מגיעים{% endif %}{% for item in response.answers %}<br>{{ item.question }} <em>{{ item.answer }}</em>{% endfor %}</li>{% endfor %}`,
          ),
          paragraph(
            '{% if deadline %}אפשר לשנות את התשובה עד <strong>{{ deadline }}</strong> דרך הקישור האישי שלכם.{% else %}אפשר לשנות את התשובה בכל עת דרך הקישור האישי שלכם.{% endif %}',
          ),
        ],
        button: { link: 'guestLink', label: 'לצפייה בתשובה ולעדכון', fallback },
        footer: footerLink('preferencesUrl', 'העדפות דיוור'),
      }),
      text: null,
    },
    COLLABORATOR_INVITATION: {
      subject: 'הזמנה להצטרף לתכנון: {{ occasion.name }}',
      html: email({
        heading: 'הצטרפות לתכנון: {{ occasion.name }}',
        body: [
          paragraph('שלום {{ recipient.firstName | default: recipient.displayName }},'),
          paragraph('{{ inviterName }} מזמין/ה אותך להצטרף לתכנון <strong>{{ occasion.name }}</strong> ב־Tov+, בתפקיד <strong>{{ role }}</strong>.'),
          paragraph('ההזמנה בתוקף עד {{ expiresAt }}.'),
        ],
        button: { link: 'acceptUrl', label: 'להצטרפות לתכנון', fallback },
        footer: 'אם לא ציפית להזמנה הזו, אפשר פשוט להתעלם מהודעה זו.',
      }),
      text: null,
    },
    ANNOUNCEMENT: {
      subject: 'עדכון: {{ occasion.name }}',
      html: email({
        heading: '{{ occasion.name }}',
        body: [
          greeting,
          paragraph('יש לנו עדכון לשתף לגבי <strong>{{ occasion.name }}</strong>.'),
          '{% if guestLink %}' + paragraph('כל הפרטים מחכים לכם בדף האישי.') + '{% endif %}',
        ],
        closing: [paragraph('באהבה,<br>{{ sender.name }}')],
        button: { link: 'guestLink', label: 'לכל הפרטים', fallback, optional: true },
        footer: optOut,
      }),
      text: null,
    },
    THREAD_MESSAGE: {
      subject: 'הודעה חדשה מאת {{ senderName }}: {{ occasion.name }}',
      html: email({
        heading: 'הודעה חדשה מאת {{ senderName }}',
        body: [paragraph('הודעה חדשה בנושא <strong>{{ occasion.name }}</strong>:'), quote(dir, '{{ excerpt }}')],
        button: { link: 'replyUrl', label: 'לקריאה ולתשובה', fallback },
        footer: 'קיבלתם הודעה זו כי אתם משתתפים בשיחה.',
      }),
      text: null,
    },
    TASK_REMINDER: {
      subject: 'תזכורת: {{ task.title }} ({{ occasion.name }})',
      html: email({
        heading: 'תזכורת למשימה שלכם',
        body: [
          greeting,
          paragraph('תזכורת למשימה שלכם עבור <strong>{{ occasion.name }}</strong>:'),
          paragraph(
            "<strong>{{ task.title }}</strong>{% if task.priority == 'HIGH' %} (עדיפות גבוהה){% endif %}{% if task.dueAt %}<br>מועד אחרון: {{ task.dueAt }}{% endif %}",
          ),
        ],
        button: { link: 'taskUrl', label: 'לצפייה במשימה', fallback },
        footer: 'קיבלתם הודעה זו כי המשימה שלכם, או ממתינה שתיקחו אותה.',
      }),
      text: null,
    },
    TASK_OVERDUE: {
      subject: 'באיחור: {{ task.title }} ({{ occasion.name }})',
      html: email({
        heading: 'משימה באיחור',
        body: [
          greeting,
          paragraph('משימה עבור <strong>{{ occasion.name }}</strong> הייתה אמורה להסתיים עד <strong>{{ task.dueAt }}</strong> ועדיין לא בוצעה:'),
          paragraph(
            '<strong>{{ task.title }}</strong><br>{% if assigneeName %}באחריות: {{ assigneeName }}.{% else %}איש עדיין לא לקח אותה.{% endif %}',
          ),
          paragraph('אפשר לבדוק מה המצב, להעביר אותה למישהו אחר או לבטל אותה.'),
        ],
        button: { link: 'taskUrl', label: 'לצפייה במשימה', fallback },
        footer: 'קיבלתם הודעה זו כי המשימה באחריותכם, או כי אתם מנהלים את משימות האירוע.',
      }),
      text: null,
    },
  },
  sms: {
    RSVP_INVITATION:
      'הזמנה מאת {{ sender.name }}: {{ occasion.name }}. {% if deadline %}נא לאשר הגעה עד {{ deadline }}: {% else %}לאישור הגעה: {% endif %}{{ guestLink }}',
    RSVP_REMINDER: 'תזכורת: נא לאשר הגעה - {{ occasion.name }}{% if deadline %} (עד {{ deadline }}){% endif %}: {{ guestLink }}',
    RSVP_CONFIRMATION: 'תודה! קיבלנו את תשובתכם - {{ occasion.name }}. לצפייה ולעדכון: {{ guestLink }}',
  },
};
