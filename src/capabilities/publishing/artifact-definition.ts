import type { z } from 'zod';
import type { AppServices } from '../../kit/context.js';
import type { PrintSpec } from './print/print-spec.js';

/*
 * Artifact definitions: what Publishing can produce (an invitation package, a
 * QR package, signage, a seating chart), contributed by the domain or module
 * that owns the data through its manifest's `artifacts`. Publishing owns the
 * mechanics every definition shares — drafts, a render job with progress,
 * versions, freezing on publish, files as assets, the events partners hear —
 * and a definition owns only its inputs and how they become files.
 */

/** A file a render produced; its role names it among the version's files (e.g. `print_pdf`). */
export interface RenderedFile {
  role: string;
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface RenderJob<I> {
  app: AppServices;
  occasionId: string;
  artifactId: string;
  version: { id: string; number: number };
  /** The draft inputs frozen with this version (parsed by the definition's schema). */
  inputs: I;
  printSpec: PrintSpec;
  /** Reports work done (pages, households): written to the version for the planner to watch. Throws once the job lost its lease. */
  progress(done: number, total: number): Promise<void>;
}

export interface ArtifactDefinition<I = unknown> {
  /** Stored on artifacts (`invitation_package`). */
  key: string;
  name: string;
  description: string;
  /** The module whose data it renders: it must be installed on the occasion. Absent: a core definition. */
  module?: string;
  /** The files every render produces, by role: their storage keys are fixed by the version and role, so a failed render's are known and removed. */
  outputs: readonly { role: string; contentType: string }[];
  /** Printable artifacts announce each published version with `printable.generated` (printers listen for it). */
  printable: boolean;
  /** The draft's inputs; parsed when a planner changes the draft and again when a render freezes it. */
  inputs: z.ZodType<I>;
  /** The print specification a new draft starts with. */
  defaultPrintSpec: PrintSpec;
  /** Checks the inputs against the occasion's data (ids of this occasion) inside the draft's transaction. */
  checkInputs?(app: AppServices, occasionId: string, inputs: I): Promise<void>;
  /** Produces the version's files. Runs in the jobs runtime as a system principal; must be deterministic for the same data. */
  render(job: RenderJob<I>): Promise<RenderedFile[]>;
}

/** Checks a definition's input type where it is written; stored without it. */
export const defineArtifact = <I>(d: ArtifactDefinition<I>): ArtifactDefinition => d;

declare module '../../domains/module-platform/manifest.js' {
  interface ModuleManifest {
    /** Artifacts Publishing can render from this module's data (the invitation package from RSVP's). */
    artifacts?: readonly ArtifactDefinition[];
  }
}
