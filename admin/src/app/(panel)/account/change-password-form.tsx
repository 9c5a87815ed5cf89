'use client';

import { useState, type FormEvent } from 'react';
import { Button, Field, inputClass } from '@/components/ui';
import { api, ApiError } from '@/lib/client/api';

/** Changes the signed-in user's own password (`POST /admin/api/account/password`). */
export function ChangePasswordForm() {
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const d = new FormData(form);
    setError(null);
    setMsg(null);
    if (d.get('newPassword') !== d.get('confirm')) {
      setError('The new passwords do not match');
      return;
    }
    try {
      await api('/api/account/password', {
        method: 'POST',
        body: { currentPassword: d.get('currentPassword'), newPassword: d.get('newPassword') },
      });
      form.reset();
      setMsg('Password changed');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Failed');
    }
  }
  return (
    <form onSubmit={(e) => void onSubmit(e)} className="grid max-w-md gap-3" aria-label="Change password">
      <Field label="Current password" htmlFor="pw-current">
        <input
          id="pw-current"
          name="currentPassword"
          type="password"
          required
          autoComplete="current-password"
          className={inputClass}
        />
      </Field>
      <Field label="New password" htmlFor="pw-new">
        <input
          id="pw-new"
          name="newPassword"
          type="password"
          minLength={12}
          required
          autoComplete="new-password"
          className={inputClass}
        />
      </Field>
      <Field label="New password again" htmlFor="pw-confirm">
        <input
          id="pw-confirm"
          name="confirm"
          type="password"
          minLength={12}
          required
          autoComplete="new-password"
          className={inputClass}
        />
      </Field>
      <Button type="submit">Change password</Button>
      <p aria-live="polite" className="text-sm text-slate-500">
        {msg}
      </p>
      {error && (
        <p data-testid="form-error" aria-live="assertive" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </form>
  );
}
