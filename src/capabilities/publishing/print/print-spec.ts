import { z } from 'zod';

/** Placeholder until the print toolchain lands (h-pdf): trim, bleed, marks, colour. */
export const printSpecSchema = z.object({
  trimWidthMm: z.number().min(50).max(600).default(148),
  trimHeightMm: z.number().min(50).max(600).default(210),
  bleedMm: z.number().min(0).max(10).default(3),
  cropMarks: z.boolean().default(true),
  slugMm: z.number().min(0).max(20).default(8),
  colour: z.enum(['CMYK', 'RGB']).default('CMYK'),
});
export type PrintSpec = z.output<typeof printSpecSchema>;
