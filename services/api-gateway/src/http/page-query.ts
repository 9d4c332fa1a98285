import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { EntityManager, ObjectLiteral } from 'typeorm';
import { decodeCursor, encodeCursor } from '../read-models/cursor';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;

/** `?limit=&cursor=`: newest first, a page at most MAX_PAGE_SIZE long. */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, example: 25 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ type: String, description: "The previous page's nextCursor.", example: 'eyJhdCI6IjIwMzAtMDEtMDFUMTA6MDA6MDAuMDAwWiIsImlkIjoibS0xIn0' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

/**
 * One page of an entity newest first (created_at DESC, then id DESC: a stable order, so a row
 * created between two pages is never shown twice nor skipped before the cursor). `alias.createdAt`
 * and `alias.id` must be the entity's properties; an index on (created_at, id) serves it.
 */
export async function pageOf<T extends ObjectLiteral & { id: string }, K extends keyof T & string>(manager: EntityManager, entity: new () => T, query: PageQuery, timeColumn: K = 'createdAt' as K): Promise<{ rows: T[]; nextCursor: string | null }> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const builder = manager.createQueryBuilder(entity, 'row').orderBy(`row.${timeColumn}`, 'DESC').addOrderBy('row.id', 'DESC').take(limit + 1);
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor);
    builder.where(`(row.${timeColumn}, row.id) < (:at, :id)`, { at: cursor.at, id: cursor.id });
  }
  const found = await builder.getMany();
  const rows = found.slice(0, limit);
  const last = rows.at(-1);
  return { rows, nextCursor: found.length > limit && last !== undefined ? encodeCursor({ at: last[timeColumn] as Date, id: last.id }) : null };
}
