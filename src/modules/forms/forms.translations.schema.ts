import { localizedText } from '../../capabilities/localization/translation-loaders.js';
import { builder } from '../../kit/builder.js';
import { inheritedType } from '../../kit/rules.js';
import { FormOptionType, FormQuestionType } from './forms.schema.js';
import { optionsOf } from './forms.questions.js';
import { questionField } from './forms.translations.js';

/*
 * A question in the reader's language. `label` and `options` stay the stored
 * wording (or, in RSVP's guest view, what that view already localized); these
 * answer in the `locale` argument, else the caller's saved locale, else
 * Accept-Language, falling back he-IL → he → the stored wording. Translations
 * of every question on a page are read in one statement.
 */

const LOCALE_ARG = { description: 'A BCP 47 locale (he, he-IL); without it, the saved locale, then the request’s Accept-Language.' };

builder.objectFields(FormQuestionType, (t) => ({
  localizedLabel: t.string({
    ...inheritedType,
    description: 'The label in the reader’s locale, else the stored one.',
    args: { locale: t.arg.string(LOCALE_ARG) },
    resolve: (q, args, ctx) =>
      localizedText(ctx, { occasionId: q.occasionId, resourceId: q.formId, field: questionField(q.key, 'label'), stored: q.label }, args.locale),
  }),
  localizedOptions: t.field({
    ...inheritedType,
    type: [FormOptionType],
    description: 'The choices with their labels in the reader’s locale (values unchanged: answers carry them).',
    args: { locale: t.arg.string(LOCALE_ARG) },
    resolve: (q, args, ctx) =>
      Promise.all(
        optionsOf(q).map(async (o) => ({
          value: o.value,
          label: await localizedText(
            ctx,
            { occasionId: q.occasionId, resourceId: q.formId, field: questionField(q.key, `option:${o.value}`), stored: o.label },
            args.locale,
          ),
        })),
      ),
  }),
}));
