import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildEventCatalog } from '../../../src/interfaces/webhooks/event-catalog.js';
import { actionRegistry, moduleRegistry } from '../../../src/modules/registry.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? (f === 'generated' ? [] : files(p)) : p.endsWith('.ts') ? [p] : [];
  });

describe('event catalog', () => {
  const catalog = buildEventCatalog(moduleRegistry);

  it('holds every event type defined anywhere in the code (a new event cannot be left out)', () => {
    const defined = files(SRC).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/defineBusinessEvent\(\{\s*type: '([^']+)'/g)].map((m) => m[1]!));
    expect(defined.length).toBeGreaterThan(30);
    expect(defined.filter((t) => !catalog.has(t))).toEqual([]);
  });

  it('each entry names a registered action and carries a JSON Schema of its payload', () => {
    for (const e of catalog.values()) {
      expect(actionRegistry.isAction(e.requiredAction), `${e.type}: ${e.requiredAction}`).toBe(true);
      expect(e.payloadSchema).toMatchObject({ type: 'object' });
      expect(e.description.length).toBeGreaterThan(10);
    }
    expect(catalog.get('rsvp.submitted')).toMatchObject({ source: 'rsvp', requiredAction: 'rsvp:view' });
    expect(catalog.get('occasion.created')).toMatchObject({ source: 'core' });
  });
});
