import { emailHtml, footerLink, list, paragraph, quote, type LocaleDefaults } from './layout.js';

const dir = 'ltr';
const greeting = paragraph('Hi {{ recipient.firstName | default: recipient.displayName }},');
const optOut = `You are receiving this because you were invited to {{ occasion.name }}.<br>${footerLink('preferencesUrl', 'Email preferences')} · ${footerLink('unsubscribeUrl', 'Unsubscribe')}`;

const eventList = list(
  dir,
  `{% for event in events %}<li style="margin:0 0 8px;"><strong>{{ event.name }}</strong>{% if event.startsAt %}<br>{{ event.startsAt }}{% endif %}{% if event.location %}<br>{{ event.location }}{% endif %}</li>{% endfor %}`,
);
const invitedPeople = `{% if household.people.size > 0 %}${paragraph("This invitation is for: {{ household.people | map: 'displayName' | join: ', ' }}.")}{% endif %}`;

const email = (layout: Omit<Parameters<typeof emailHtml>[0], 'lang' | 'dir'>) => emailHtml({ lang: 'en', dir, ...layout });
const fallback = 'If the button does not work, copy this link into your browser:';

export const EN: LocaleDefaults = {
  email: {
    RSVP_INVITATION: {
      subject: "You're invited: {{ occasion.name }}",
      html: email({
        heading: "You're invited!",
        body: [
          greeting,
          paragraph('{{ sender.name }} would love to celebrate <strong>{{ occasion.name }}</strong> with you.'),
          `{% if events.size > 0 %}${eventList}{% endif %}`,
          invitedPeople,
          paragraph(
            '{% if deadline %}Please let us know whether you can come by <strong>{{ deadline }}</strong>.{% else %}Please let us know whether you can come.{% endif %}',
          ),
        ],
        button: { link: 'guestLink', label: 'Reply to the invitation', fallback },
        footer: optOut,
      }),
      text: null,
    },
    RSVP_REMINDER: {
      subject: 'Reminder: please reply for {{ occasion.name }}',
      html: email({
        heading: 'We would love to hear from you',
        body: [
          greeting,
          paragraph("We haven't received your reply to the invitation to <strong>{{ occasion.name }}</strong> yet."),
          paragraph(
            '{% if daysLeft == 0 %}Today is the last day to reply.{% elsif daysLeft == 1 %}There is one day left to reply.{% elsif daysLeft %}There are {{ daysLeft }} days left to reply.{% endif %}{% if deadline %} Please reply by <strong>{{ deadline }}</strong>.{% endif %} It takes less than a minute.',
          ),
          `{% if events.size > 0 %}${eventList}{% endif %}`,
        ],
        button: { link: 'guestLink', label: 'Reply now', fallback },
        footer: optOut,
      }),
      text: null,
    },
    RSVP_CONFIRMATION: {
      subject: 'We got your reply: {{ occasion.name }}',
      html: email({
        heading: 'Thank you for your reply',
        body: [
          paragraph(
            'Thank you, {{ recipient.firstName | default: recipient.displayName }}! Here is what we have for <strong>{{ occasion.name }}</strong>:',
          ),
          list(
            dir,
            `{% for response in responses %}<li style="margin:0 0 12px;"><strong>{{ response.eventName }}</strong>: {% if response.attending %}attending{% if response.attendees.size > 0 %} ({{ response.attendees | join: ', ' }}){% endif %}{% else %}not attending{% endif %}{% for item in response.answers %}<br>{{ item.question }} <em>{{ item.answer }}</em>{% endfor %}</li>{% endfor %}`,
          ),
          paragraph(
            '{% if deadline %}You can change your reply until <strong>{{ deadline }}</strong> with your personal link.{% else %}You can change your reply at any time with your personal link.{% endif %}',
          ),
        ],
        button: { link: 'guestLink', label: 'View or change your reply', fallback },
        footer: footerLink('preferencesUrl', 'Email preferences'),
      }),
      text: null,
    },
    COLLABORATOR_INVITATION: {
      subject: '{{ inviterName }} invited you to help plan {{ occasion.name }}',
      html: email({
        heading: 'Join the planning of {{ occasion.name }}',
        body: [
          paragraph('Hi {{ recipient.firstName | default: recipient.displayName }},'),
          paragraph('{{ inviterName }} invited you to help plan <strong>{{ occasion.name }}</strong> on Tov+, as <strong>{{ role }}</strong>.'),
          paragraph('This invitation expires on {{ expiresAt }}.'),
        ],
        button: { link: 'acceptUrl', label: 'Accept the invitation', fallback },
        footer: 'If you were not expecting this invitation, you can ignore this email.',
      }),
      text: null,
    },
    ANNOUNCEMENT: {
      subject: 'News about {{ occasion.name }}',
      html: email({
        heading: '{{ occasion.name }}',
        body: [
          greeting,
          paragraph('We have news to share about <strong>{{ occasion.name }}</strong>.'),
          '{% if guestLink %}' + paragraph('You will find all the details on your personal page.') + '{% endif %}',
        ],
        closing: [paragraph('With love,<br>{{ sender.name }}')],
        button: { link: 'guestLink', label: 'See the details', fallback, optional: true },
        footer: optOut,
      }),
      text: null,
    },
    THREAD_MESSAGE: {
      subject: 'New message from {{ senderName }}: {{ occasion.name }}',
      html: email({
        heading: 'New message from {{ senderName }}',
        body: [paragraph('{{ senderName }} wrote about <strong>{{ occasion.name }}</strong>:'), quote(dir, '{{ excerpt }}')],
        button: { link: 'replyUrl', label: 'Read and reply', fallback },
        footer: 'You are receiving this because you are part of this conversation.',
      }),
      text: null,
    },
    TASK_REMINDER: {
      subject: 'Reminder: {{ task.title }} ({{ occasion.name }})',
      html: email({
        heading: 'A task of yours is coming up',
        body: [
          greeting,
          paragraph('A reminder of your task for <strong>{{ occasion.name }}</strong>:'),
          paragraph(
            "<strong>{{ task.title }}</strong>{% if task.priority == 'HIGH' %} (high priority){% endif %}{% if task.dueAt %}<br>Due {{ task.dueAt }}.{% endif %}",
          ),
        ],
        button: { link: 'taskUrl', label: 'See the task', fallback },
        footer: 'You are receiving this because this task is yours, or waiting for you to take it.',
      }),
      text: null,
    },
    TASK_OVERDUE: {
      subject: 'Overdue: {{ task.title }} ({{ occasion.name }})',
      html: email({
        heading: 'A task is overdue',
        body: [
          greeting,
          paragraph('A task for <strong>{{ occasion.name }}</strong> was due <strong>{{ task.dueAt }}</strong> and is not done yet:'),
          paragraph(
            '<strong>{{ task.title }}</strong><br>{% if assigneeName %}{{ assigneeName }} has it.{% else %}Nobody has taken it yet.{% endif %}',
          ),
          paragraph('Check in, give it to someone else, or cancel it.'),
        ],
        button: { link: 'taskUrl', label: 'See the task', fallback },
        footer: 'You are receiving this because you own this task or manage the tasks of this occasion.',
      }),
      text: null,
    },
  },
  sms: {
    RSVP_INVITATION:
      '{{ sender.name }} invites you to {{ occasion.name }}! {% if deadline %}Please reply by {{ deadline }}: {% else %}Please reply here: {% endif %}{{ guestLink }}',
    RSVP_REMINDER: 'Reminder: please reply to the invitation to {{ occasion.name }}{% if deadline %} by {{ deadline }}{% endif %}: {{ guestLink }}',
    RSVP_CONFIRMATION: 'Thank you! We got your reply for {{ occasion.name }}. To view or change it: {{ guestLink }}',
  },
};
