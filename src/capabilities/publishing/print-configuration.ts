import { z } from 'zod';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';

/**
 * The occasion's print configuration: what its printer is told besides the
 * files (paper, finish, how many, where to deliver). A printer reads it only
 * when granted print_config:read; it is never part of an artifact.
 */
export const printConfigurationSchema = z
  .object({
    paper: z.string().trim().max(200).nullish(),
    finish: z.string().trim().max(200).nullish(),
    envelopes: z.string().trim().max(200).nullish(),
    /** Copies beyond one per page (spares). */
    extraCopies: z.number().int().min(0).max(10_000).nullish(),
    deliverBy: z.iso.date().nullish(),
    delivery: z
      .object({
        name: z.string().trim().min(1).max(200),
        lines: z.array(z.string().trim().min(1).max(200)).min(1).max(5),
        city: z.string().trim().min(1).max(100),
        postalCode: z.string().trim().max(20).nullish(),
        country: z.string().trim().length(2, 'An ISO 3166 country code (IL, US).').toUpperCase(),
        phone: z.string().trim().max(40).nullish(),
      })
      .nullish(),
    notes: z.string().trim().max(2000).nullish(),
  })
  .strict();
export type PrintConfiguration = z.output<typeof printConfigurationSchema>;

export async function updatePrintConfiguration(tx: Tx, caller: Caller, occasionId: string, input: unknown) {
  const config = parseInput(printConfigurationSchema, input);
  const before = await tx.occasion.findUnique({ where: { id: occasionId }, select: { printConfiguration: true } });
  if (!before) throw notFound('Occasion');
  await tx.occasion.update({ where: { id: occasionId }, data: { printConfiguration: config } });
  await recordAudit(tx, caller, {
    action: 'print_config:manage',
    occasionId,
    target: { type: 'Occasion', id: occasionId },
    before: before.printConfiguration,
    after: config,
  });
  return config;
}
