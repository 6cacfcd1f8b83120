import { type DocumentNode, Kind, type OperationDefinitionNode, type TypeNode } from 'graphql';

/*
 * What an endpoint's persisted document can be given: its variables are
 * filled from the envelope, nothing else, so a document may declare only
 * those, typed as the ids/strings they are. Checked when the endpoint is
 * saved (a document that could never run is refused there, with a reason),
 * and again at render time, where a value the envelope lacks (a test
 * message has no event) means the document is not run rather than run into
 * a variable error.
 */

/** The envelope values a document may ask for, by variable name. */
export const ENVELOPE_VARIABLES = ['occasionId', 'eventId', 'eventType', 'webhookEventId', 'resourceId'] as const;
type EnvelopeVariable = (typeof ENVELOPE_VARIABLES)[number];

export function operationOf(doc: DocumentNode): OperationDefinitionNode | undefined {
  return doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
}

const namedType = (t: TypeNode): string | null =>
  t.kind === Kind.NAMED_TYPE ? t.name.value : t.kind === Kind.NON_NULL_TYPE ? namedType(t.type) : null;

/** Variables that must have a value: non-null and without a default. */
function required(op: OperationDefinitionNode | undefined): string[] {
  return (op?.variableDefinitions ?? []).filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue).map((v) => v.variable.name.value);
}

/**
 * Why this document cannot render payloads for an endpoint, or nothing.
 * `aboutResources`: every event type the endpoint hears names a resource (so
 * each message carries a resourceId); false when known not to.
 * `eventFiltered`: the endpoint hears only events of listed events, so every
 * message it gets carries an eventId.
 */
export function documentProblems(doc: DocumentNode, opts: { eventFiltered: boolean; aboutResources?: boolean }): string[] {
  const op = operationOf(doc);
  const problems: string[] = [];
  for (const v of op?.variableDefinitions ?? []) {
    const name = v.variable.name.value;
    if (!(ENVELOPE_VARIABLES as readonly string[]).includes(name)) {
      problems.push(`Its variable $${name} is not filled by a webhook (only ${ENVELOPE_VARIABLES.map((n) => `$${n}`).join(', ')} are).`);
    } else if (!['ID', 'String'].includes(namedType(v.type) ?? '')) {
      problems.push(`Its variable $${name} must be an ID or a String.`);
    }
  }
  if (required(op).includes('eventId') && !opts.eventFiltered) {
    problems.push('It needs $eventId: filter the endpoint by events (messages about the whole occasion carry none).');
  }
  if (required(op).includes('resourceId') && opts.aboutResources === false) {
    problems.push('It needs $resourceId: subscribe only to event types about a resource (printable.generated, artifact.published…).');
  }
  return problems;
}

/** The variables for one message, and the required ones it has no value for. */
export function variablesFor(
  doc: DocumentNode,
  envelope: Record<EnvelopeVariable, string | null>,
): { values: Record<string, unknown>; missing: string[] } {
  const op = operationOf(doc);
  const values = Object.fromEntries(
    (op?.variableDefinitions ?? []).map((v) => [v.variable.name.value, envelope[v.variable.name.value as EnvelopeVariable] ?? null]),
  );
  return { values, missing: required(op).filter((n) => values[n] === null) };
}
