import type { ReactNode } from 'react';
import { Button, inputClass } from './ui';

/**
 * The filter bar of a list page: a GET form, so filters live in the URL (shareable, and the
 * server paginates what they select). Children are {@link SearchField} and {@link SelectField}.
 */
export function FilterForm({ submitLabel, children }: { submitLabel: string; children: ReactNode }) {
  return (
    <form method="get" role="search" className="mb-3 flex flex-wrap items-end gap-2">
      {children}
      <Button type="submit">{submitLabel}</Button>
    </form>
  );
}

/** The free-text search box (`q`) of a {@link FilterForm}. */
export function SearchField({ defaultValue, placeholder }: { defaultValue?: string; placeholder: string }) {
  return (
    <div className="min-w-48 flex-1">
      <label htmlFor="q" className="mb-1 block text-xs font-medium">
        Search
      </label>
      <input
        id="q"
        name="q"
        type="search"
        defaultValue={defaultValue ?? ''}
        placeholder={placeholder}
        className={inputClass}
      />
    </div>
  );
}

/** A labelled select of a {@link FilterForm}; `name` is also the element id. */
export function SelectField({
  name,
  label,
  defaultValue,
  options,
}: {
  name: string;
  label: string;
  defaultValue?: string;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <div>
      <label htmlFor={name} className="mb-1 block text-xs font-medium">
        {label}
      </label>
      <select id={name} name={name} defaultValue={defaultValue ?? ''} className={inputClass}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
