'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { SecretReveal } from '@/components/secret-reveal';
import { Button } from '@/components/ui';
import { api, ApiError } from '@/lib/client/api';

/** Per-user admin actions: role, disable/enable, reset password, delete. */
export function UserRowActions({
  id,
  email,
  role,
  disabled,
}: {
  id: string;
  email: string;
  role: string;
  disabled: boolean;
}) {
  const router = useRouter();
  const [msg, setMsg] = useState<string | null>(null);
  const [password, setPassword] = useState<string | null>(null);

  async function run(fn: () => Promise<unknown>, done: string, confirmText?: string) {
    if (confirmText && !window.confirm(confirmText)) return;
    setMsg(null);
    try {
      await fn();
      setMsg(done);
      router.refresh();
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : 'Failed');
    }
  }

  return (
    <div className="flex flex-wrap items-center gap-2">
      <label className="sr-only" htmlFor={`role-${id}`}>
        Role of {email}
      </label>
      <select
        id={`role-${id}`}
        value={role}
        onChange={(e) =>
          void run(
            () => api(`/api/users/${id}`, { method: 'PATCH', body: { role: e.target.value } }),
            'Role changed',
          )
        }
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950"
      >
        <option value="admin">admin</option>
        <option value="viewer">viewer</option>
      </select>
      <Button
        type="button"
        variant="secondary"
        onClick={() =>
          void run(
            () => api(`/api/users/${id}`, { method: 'PATCH', body: { disabled: !disabled } }),
            disabled ? 'Enabled' : 'Disabled',
          )
        }
      >
        {disabled ? 'Enable' : 'Disable'}
      </Button>
      <Button
        type="button"
        variant="secondary"
        onClick={() =>
          void run(
            async () => {
              const r = await api<{ password: string }>(`/api/users/${id}/reset-password`, {
                method: 'POST',
                body: {},
              });
              setPassword(r.password);
            },
            'Password reset',
            `Reset the password of ${email}? They are signed out everywhere.`,
          )
        }
      >
        Reset password
      </Button>
      <Button
        type="button"
        variant="danger"
        onClick={() =>
          void run(() => api(`/api/users/${id}`, { method: 'DELETE' }), 'Deleted', `Delete ${email}?`)
        }
      >
        Delete
      </Button>
      <span aria-live="polite" className="text-xs text-slate-500" data-testid={`user-msg-${email}`}>
        {msg}
      </span>
      {password && (
        <SecretReveal
          label={`New password for ${email}`}
          secret={password}
          onDone={() => setPassword(null)}
        />
      )}
    </div>
  );
}
