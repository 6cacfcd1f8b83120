import type { z } from 'zod';
import { ValidationError } from './errors.js';

/** zod parse whose failure is the typed ValidationError of a mutation result (every issue, with its path). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw ValidationError.fromZod(r.error);
  return r.data;
}
