import { describe, expect, it } from 'vitest';
import { seedDemo } from '../../../prisma/seed.js';
import { startServer } from '../../support/harness.js';

/** The demo's reception has the venue's layout and the planner's first constraints, ready to seat guests once they answer. */

const s = await startServer({}, { ownDatabase: true });

describe('demo seating', () => {
  it('seeds the reception’s plan: two rooms with the venue’s ids, eleven tables, two constraints', async () => {
    await seedDemo(s.app);
    const plan = await s.app.db.prisma.seatingPlan.findFirstOrThrow({
      where: { event: { name: 'Reception dinner' } },
      include: { rooms: { orderBy: { externalId: 'asc' } }, tables: true, constraints: { orderBy: { kind: 'asc' } } },
    });
    expect(plan.rooms.map((r) => [r.externalId, r.name])).toEqual([
      ['OGE-HALL', 'Main hall'],
      ['OGE-TERRACE', 'Garden terrace'],
    ]);
    expect(plan.tables).toHaveLength(11);
    expect(plan.tables.reduce((n, t) => n + t.capacity, 0)).toBe(92);
    expect(plan.constraints.map((c) => c.kind)).toEqual(['TOGETHER', 'APART']);
  });
});
