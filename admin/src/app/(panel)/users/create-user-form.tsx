'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Button, Field, inputClass } from '@/components/ui';
import { api, ApiError } from '@/lib/client/api';

/** Creates a user with a role and an initial password. */
export function CreateUserForm() {
  const router = useRouter();
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const d = new FormData(form);
    setError(null);
    setMsg(null);
    try {
      await api('/api/users', {
        method: 'POST',
        body: {
          email: d.get('email'),
          name: d.get('name'),
          role: d.get('role'),
          password: d.get('password'),
        },
      });
      form.reset();
      setMsg('User created');
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Failed');
    }
  }
  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5 lg:items-end"
      aria-label="Create user"
    >
      <Field label="Email" htmlFor="u-email">
        <input id="u-email" name="email" type="email" required className={inputClass} />
      </Field>
      <Field label="Name" htmlFor="u-name">
        <input id="u-name" name="name" maxLength={100} className={inputClass} />
      </Field>
      <Field label="Role" htmlFor="u-role">
        <select id="u-role" name="role" defaultValue="viewer" className={inputClass}>
          <option value="viewer">viewer</option>
          <option value="admin">admin</option>
        </select>
      </Field>
      <Field label="Password" htmlFor="u-password">
        <input
          id="u-password"
          name="password"
          type="password"
          minLength={12}
          required
          autoComplete="new-password"
          className={inputClass}
        />
      </Field>
      <Button type="submit">Create user</Button>
      <p aria-live="polite" className="text-sm text-slate-500 sm:col-span-2 lg:col-span-5">
        {msg}
      </p>
      {error && (
        <p
          data-testid="form-error"
          aria-live="assertive"
          className="text-sm text-red-600 dark:text-red-400 sm:col-span-2 lg:col-span-5"
        >
          {error}
        </p>
      )}
    </form>
  );
}
