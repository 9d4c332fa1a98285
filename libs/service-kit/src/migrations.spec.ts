import { MigrationError, orderMigrations, type Migration } from './migrations';

const sql = (version: number, name: string): Migration => ({ version, name, checksum: name, apply: () => Promise.resolve() });

describe('migration order', () => {
  it('merges SQL files and code migrations into 1..n', () => {
    const ordered = orderMigrations([sql(3, 'c'), sql(1, 'a')], [{ version: 2, name: 'inbox_and_outbox', apply: () => Promise.resolve() }]);
    expect(ordered.map((migration) => migration.name)).toEqual(['a', 'inbox_and_outbox', 'c']);
    expect(ordered[1]?.checksum).toBe('code:inbox_and_outbox');
  });

  it('refuses gaps and repeated versions', () => {
    expect(() => orderMigrations([sql(1, 'a'), sql(3, 'c')], [])).toThrow(MigrationError);
    expect(() => orderMigrations([sql(1, 'a'), sql(1, 'b')], [])).toThrow(MigrationError);
  });
});
