import { z } from 'zod';
import type { TemplateKind } from './kinds.js';
import { VARIABLE_SCHEMAS } from './variables.js';

/** A kind's variables as a tree, for checking the paths a template reads. */
export type Shape =
  { type: 'object'; fields: Map<string, Shape> } | { type: 'array'; element: Shape } | { type: 'string'; link: boolean } | { type: 'scalar' };

function shapeOf(schema: z.ZodType): Shape {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return shapeOf(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodObject) {
    const fields = new Map<string, Shape>();
    for (const [name, field] of Object.entries(schema.shape)) fields.set(name, shapeOf(field as z.ZodType));
    return { type: 'object', fields };
  }
  if (schema instanceof z.ZodArray) return { type: 'array', element: shapeOf(schema.element as z.ZodType) };
  if (schema instanceof z.ZodURL) return { type: 'string', link: true };
  if (schema instanceof z.ZodString || schema instanceof z.ZodStringFormat) return { type: 'string', link: false };
  return { type: 'scalar' };
}

const shapes = new Map<TemplateKind, Shape>();

export function variableShape(kind: TemplateKind): Shape {
  let shape = shapes.get(kind);
  if (!shape) {
    shape = shapeOf(VARIABLE_SCHEMAS[kind]);
    shapes.set(kind, shape);
  }
  return shape;
}

/** Top-level variables that hold links, e.g. guestLink. */
export function linkVariables(kind: TemplateKind): string[] {
  const shape = variableShape(kind);
  if (shape.type !== 'object') return [];
  return [...shape.fields].filter(([, s]) => s.type === 'string' && s.link).map(([name]) => name);
}

type Segment = string | number | Segment[];

/**
 * Null when `segments` (liquidjs's path of a global, e.g. ["events", 0, "name"]) exists in the
 * shape, else why not, naming what is there. A computed index (`events[i]`) is taken as any element;
 * on an object it could be any field, so the rest of the path is not checked.
 */
export function pathProblem(shape: Shape, segments: Segment[]): string | null {
  let at = shape;
  const walked: string[] = [];
  for (const segment of segments) {
    const label = walked.length ? walked.join('.') : null;
    if (Array.isArray(segment)) {
      if (at.type === 'array') at = at.element;
      else if (at.type === 'object') return null;
      else return `${label} is not a list or object`;
    } else if (at.type === 'object') {
      const next = typeof segment === 'string' ? at.fields.get(segment) : undefined;
      if (!next) {
        const names = [...at.fields.keys()].join(', ');
        return label ? `${label} has ${names}` : `this kind of message can use ${names}`;
      }
      at = next;
    } else if (at.type === 'array') {
      if (typeof segment === 'number' || segment === 'first' || segment === 'last') at = at.element;
      else if (segment === 'size') at = { type: 'scalar' };
      else return `${label} is a list: use an index, first, last or size, or a for loop`;
    } else if (at.type === 'string' && segment === 'size') {
      at = { type: 'scalar' };
    } else {
      return `${label} is ${at.type === 'string' ? 'text' : 'a single value'} and has no "${segment}"`;
    }
    walked.push(String(segment));
  }
  return null;
}
