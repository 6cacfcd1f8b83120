import { defineTarget, type TargetLoader } from '../../kit/targets.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    form: TargetLoader;
    formQuestion: TargetLoader;
  }
}

export const FORM_TARGETS = {
  form: defineTarget({
    what: 'Form',
    fetch: (prisma, ids) => prisma.form.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'Form', id: r.id } }),
  }),
  // A question is guarded as part of its form: a grant on the form covers each of its versions.
  formQuestion: defineTarget({
    what: 'Form field', // the API's word for a question version, in its NOT_FOUND message
    fetch: (prisma, ids) => prisma.formQuestion.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true, formId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'Form', id: r.formId } }),
  }),
};
