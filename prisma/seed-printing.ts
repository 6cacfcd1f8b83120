import type { App } from '../src/app/create-app.js';
import { createArtifact, publishArtifactVersion, renderArtifact } from '../src/capabilities/publishing/artifacts.service.js';
import { updatePrintConfiguration } from '../src/capabilities/publishing/print-configuration.js';
import type { Authorizer } from '../src/domains/permissions/authorizer.js';
import { encodeGlobalID } from '../src/kit/ids.js';
import type { Caller } from '../src/platform/principal.js';
import { demoPartnerCredential, seedDemoPartner } from './seed-integrations.js';

/*
 * The demo's printing: an invitation package for every household (rendered by
 * the render runtime once the server is up, then published by
 * publishDemoPackage) and a connected printing company — an integration granted
 * that one artifact (read it, report print jobs) and the occasion's print
 * configuration, allowed the two printer documents. Each boot issues it a
 * fresh credential (the previous ones are revoked), printed in the banner.
 */

export const DEMO_PRINTER_NAME = 'Demo Press (printer)';

/** Seeds the package draft, its render request and the printer (first boot, inside the demo's seeding, as the planner). */
export async function seedDemoPrinting(app: App, me: Caller & { authz: Authorizer }, occasionId: string) {
  const prisma = app.db.prisma;
  await prisma.$transaction((tx) =>
    me.authz.within(tx, async () => {
      await updatePrintConfiguration(tx, me, occasionId, {
        paper: 'Cotton 300 gsm, ivory',
        finish: 'Letterpress, gold foil on the names',
        envelopes: 'C5, ivory, lined',
        extraCopies: 10,
        deliverBy: '2027-04-15',
        delivery: { name: 'Noa Levi', lines: ['12 Olive Street'], city: 'Haifa', postalCode: '3303312', country: 'IL' },
      });
      const artifact = await createArtifact(tx, me, app, occasionId, { definitionKey: 'invitation_package', title: 'Wedding invitations' });
      await renderArtifact(tx, me, app, artifact.id);
    }),
  );
  const artifact = await prisma.artifact.findFirstOrThrow({ where: { occasionId, definitionKey: 'invitation_package' } });
  await seedDemoPartner(app, me, occasionId, {
    name: DEMO_PRINTER_NAME,
    description: 'Prints the invitation package and reports its print jobs.',
    flags: ['OUTBOUND', 'INBOUND', 'EVENT_DRIVEN'],
    grants: [
      {
        actions: ['artifact:read', 'artifact:report_print'],
        allowWrite: true,
        scope: { type: 'RESOURCE', resource: { type: 'Artifact', id: artifact.id } },
      },
      { actions: ['print_config:read'], scope: { type: 'OCCASION' } },
    ],
    operations: ['PrintableArtifact', 'PrintConfiguration'],
  });
}

/**
 * Once the render runtime has rendered the demo package (a few seconds after
 * start), the planner publishes it: printable.generated goes out, and the
 * printer can fetch it. Gives up quietly after a minute.
 */
export async function publishDemoPackage(app: App, me: Caller & { authz: Authorizer }, occasionId: string) {
  const prisma = app.db.prisma;
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const v = await prisma.artifactVersion.findFirst({
      where: { occasionId, artifact: { definitionKey: 'invitation_package' } },
      orderBy: { number: 'desc' },
    });
    if (!v || v.status === 'PUBLISHED' || v.status === 'FAILED') return v?.status ?? null;
    if (v.status === 'RENDERED') {
      await prisma.$transaction((tx) => me.authz.within(tx, () => publishArtifactVersion(tx, me, app, v.id)));
      app.logger.info({ artifactVersionId: v.id }, 'demo invitation package published');
      return 'PUBLISHED';
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

/** A fresh credential for the demo printer (earlier ones revoked) and what the banner shows about it. */
export async function demoPrinterCredential(app: App, occasionId: string) {
  const artifact = await app.db.prisma.artifact.findFirst({ where: { occasionId, definitionKey: 'invitation_package' } });
  const credential = artifact ? await demoPartnerCredential(app, DEMO_PRINTER_NAME) : null;
  return credential && artifact ? { ...credential, artifactId: encodeGlobalID('Artifact', artifact.id) } : null;
}
