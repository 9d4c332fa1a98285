import fc from 'fast-check';
import { decideResource, RESOURCE_ID } from './resource';

const MERCHANT = { type: 'API_KEY', id: 'key-1' } as const;

describe('decideResource', () => {
  it('creates, renames, or changes nothing when the same command comes again', () => {
    const created = decideResource(undefined, { resourceId: 'room-1', name: ' Room 1 ' }, MERCHANT, 'm1');
    expect(created).toEqual({ kind: 'create', resource: { tenantId: 'm1', resourceId: 'room-1', name: 'Room 1' } });
    const existing = { tenantId: 'm1', resourceId: 'room-1', name: 'Room 1' };
    expect(decideResource(existing, { resourceId: 'room-1', name: 'Room 1' }, MERCHANT, 'm1')).toEqual({ kind: 'unchanged', resource: existing });
    expect(decideResource(existing, { resourceId: 'room-1', name: 'Blue room' }, MERCHANT, 'm1')).toEqual({ kind: 'rename', resource: { ...existing, name: 'Blue room' }, from: 'Room 1' });
  });

  it('refuses a customer, whatever the command', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (resourceId, name) => decideResource(undefined, { resourceId, name }, { type: 'USER', id: 'c' }, 'm1').kind === 'refused'));
  });

  it('refuses ids outside the pattern and empty or overlong names; accepts the platform and its staff', () => {
    for (const resourceId of ['', 'a b', 'x'.repeat(101), "room'1"]) expect(decideResource(undefined, { resourceId, name: 'R' }, MERCHANT, 'm1')).toEqual({ kind: 'refused', code: 'INVALID_RESOURCE' });
    for (const name of ['', '   ', 'n'.repeat(201)]) expect(decideResource(undefined, { resourceId: 'r', name }, MERCHANT, 'm1')).toEqual({ kind: 'refused', code: 'INVALID_RESOURCE' });
    expect(decideResource(undefined, { resourceId: 'r', name: 'R' }, { type: 'SERVICE', id: 'staff:alice' }, 'm1').kind).toBe('create');
    expect(RESOURCE_ID.test('court_3.b-2')).toBe(true);
  });
});
