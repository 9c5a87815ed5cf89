import Link from 'next/link';
import type { Page } from '@/lib/data/paging';

/** Previous/next links for a server-side paginated list, keeping the other query parameters. */
export function Pagination({
  of: { page, pageCount, total },
  path,
  params,
}: {
  /** The page being shown, as the list query returned it. */
  of: Omit<Page<unknown>, 'rows'>;
  path: string;
  params: Record<string, string | undefined>;
}) {
  const href = (p: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    q.set('page', String(p));
    return `${path}?${q.toString()}`;
  };
  const link =
    'rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800';
  return (
    <nav aria-label="Pagination" className="mt-3 flex items-center justify-between gap-2 text-sm">
      <span className="text-slate-500 dark:text-slate-400">
        Page {page} of {pageCount} · {total} total
      </span>
      <span className="flex gap-2">
        {page > 1 && (
          <Link className={link} href={href(page - 1)} rel="prev">
            Previous
          </Link>
        )}
        {page < pageCount && (
          <Link className={link} href={href(page + 1)} rel="next">
            Next
          </Link>
        )}
      </span>
    </nav>
  );
}
