import { z } from 'zod';

/** Rows per page of every server-side paginated list. */
export const PAGE_SIZE = 20;

/** `?page=` as a 1-based integer, defaulting to 1. */
export const pageParam = z.coerce.number().int().min(1).max(100_000).catch(1);

/** A page of rows plus the total count. */
export interface Page<T> {
  rows: T[];
  total: number;
  page: number;
  pageCount: number;
}

/** Prisma `skip`/`take` for a page. */
export function pageArgs(page: number): { skip: number; take: number } {
  return { skip: (page - 1) * PAGE_SIZE, take: PAGE_SIZE };
}

/** Wraps rows and a count into a {@link Page}. */
export function toPage<T>(rows: T[], total: number, page: number): Page<T> {
  return { rows, total, page, pageCount: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}
