'use client';

import { useState } from 'react';
import { inputClass } from '@/components/ui';

/**
 * Extra request headers of a subscription. Stored values are never sent to the browser: an
 * existing header shows its name only, with a field to replace its value and a box to remove
 * it. New headers are name/value rows. {@link readHeaderFields} turns the form into the API's
 * `headers` map.
 */
export function HeaderFields({ existing }: { existing: string[] }) {
  const [rows, setRows] = useState(1);
  return (
    <fieldset className="md:col-span-2" aria-describedby="wh-headers-hint">
      <legend className="mb-1 text-sm font-medium">Extra request headers</legend>
      <p id="wh-headers-hint" className="mb-2 text-xs text-slate-500 dark:text-slate-400">
        Sent with every delivery, e.g. your CRM&apos;s own <code>Authorization</code>. Values are stored
        encrypted and never shown again; the signature and relay headers cannot be replaced.
      </p>
      <ul className="space-y-2 text-sm" data-testid="existing-headers">
        {existing.map((name) => (
          <li key={name} className="flex flex-wrap items-center gap-2">
            <code className="min-w-40">{name}</code>
            <span className="text-xs text-slate-500">value set (hidden)</span>
            <input
              name={`header-replace:${name}`}
              type="password"
              autoComplete="off"
              aria-label={`New value for ${name}`}
              placeholder="new value (empty keeps it)"
              className={`${inputClass} max-w-xs`}
            />
            <label className="inline-flex items-center gap-1 text-xs">
              <input type="checkbox" name={`header-remove:${name}`} /> remove
            </label>
          </li>
        ))}
        {Array.from({ length: rows }, (_, i) => (
          <li key={`new-${i}`} className="flex flex-wrap items-center gap-2">
            <input
              name="header-name"
              aria-label={`Header field ${i + 1}`}
              placeholder="x-api-key"
              className={`${inputClass} max-w-xs`}
            />
            <input
              name="header-value"
              type="password"
              autoComplete="off"
              aria-label={`Header value ${i + 1}`}
              placeholder="value"
              className={`${inputClass} max-w-xs`}
            />
          </li>
        ))}
      </ul>
      <button
        type="button"
        onClick={() => setRows((n) => Math.min(n + 1, 20))}
        className="mt-2 text-xs text-sky-700 hover:underline dark:text-sky-400"
      >
        Add another header
      </button>
    </fieldset>
  );
}

/** The `headers` map of a form: new rows and replaced values set, removed ones null. */
export function readHeaderFields(d: FormData, existing: string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const names = d.getAll('header-name').map(String);
  const values = d.getAll('header-value').map(String);
  names.forEach((name, i) => {
    if (name.trim()) out[name.trim()] = values[i] ?? '';
  });
  for (const name of existing) {
    const v = d.get(`header-replace:${name}`);
    const replaced = typeof v === 'string' ? v : '';
    if (d.get(`header-remove:${name}`) === 'on') out[name] = null;
    else if (replaced) out[name] = replaced;
  }
  return out;
}
