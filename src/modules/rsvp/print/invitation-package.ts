import { defineArtifact } from '../../../capabilities/publishing/artifact-definition.js';
import { DEFAULT_PRINT_SPEC } from '../../../capabilities/publishing/print/print-spec.js';
import type { Caller } from '../../../platform/principal.js';
import { ValidationError } from '../../../platform/errors.js';
import { invitationPackageInputs, loadInvitationPackage } from './invitation-package.data.js';
import { renderInvitationPackage } from './invitation-package.render.js';

const RENDER_CALLER: Caller = { principal: { kind: 'system', reason: 'publishing:invitation_package', actions: [] }, requestId: 'render' };

const slug = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .toLowerCase()
    .slice(0, 60) || 'invitations';

/**
 * The invitation package: one print-ready PDF, a page per household (the
 * names as the planner wants them printed, the events it is invited to, the
 * occasion's branding and cover), trim and bleed boxes and crop marks, and a
 * QR code per household that opens its RSVP through a print code — never
 * the household's guest link.
 */
export const invitationPackage = defineArtifact({
  key: 'invitation_package',
  name: 'Invitation package',
  description:
    'A print-ready PDF with one invitation per household: printed names, invited events, branding and cover, and a QR code to reply (a print code, not the guest link). Inputs: eventIds, invitationIds, printedNames (by household id), locale (en, he), accentColour.',
  printable: true,
  outputs: [{ role: 'print_pdf', contentType: 'application/pdf' }],
  inputs: invitationPackageInputs,
  defaultPrintSpec: DEFAULT_PRINT_SPEC,
  async checkInputs(app, occasionId, inputs) {
    const issues: { path: string; message: string }[] = [];
    if (inputs.eventIds?.length) {
      const n = await app.db.prisma.event.count({ where: { occasionId, id: { in: inputs.eventIds } } });
      if (n !== new Set(inputs.eventIds).size) issues.push({ path: 'input.inputs.eventIds', message: 'Not events of this occasion.' });
    }
    if (inputs.invitationIds?.length) {
      const n = await app.db.prisma.rsvpInvitation.count({ where: { occasionId, id: { in: inputs.invitationIds } } });
      if (n !== new Set(inputs.invitationIds).size) issues.push({ path: 'input.inputs.invitationIds', message: 'Not invitations of this occasion.' });
    }
    const named = Object.keys(inputs.printedNames ?? {});
    if (named.length) {
      const n = await app.db.prisma.rsvpInvitation.count({ where: { occasionId, invitationUnitActorId: { in: named } } });
      if (n !== named.length)
        issues.push({ path: 'input.inputs.printedNames', message: 'Keys must be invited households (actor ids) of this occasion.' });
    }
    if (issues.length) throw new ValidationError(issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
  },
  async render(job) {
    const data = await loadInvitationPackage(job.app, RENDER_CALLER, job.occasionId, job.inputs);
    if (!data.households.length) throw new ValidationError('Nobody to print: the package selects no invited households.');
    const title = (await job.app.db.prisma.artifact.findUnique({ where: { id: job.artifactId }, select: { title: true } }))?.title ?? 'invitations';
    const { pdf } = await renderInvitationPackage(data, job.printSpec, { onProgress: (done, total) => job.progress(done, total) });
    return [{ role: 'print_pdf', filename: `${slug(title)}-v${job.version.number}.pdf`, contentType: 'application/pdf', bytes: pdf }];
  },
});
