'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { SecretReveal } from '@/components/secret-reveal';
import { Button, Field, inputClass } from '@/components/ui';
import { api, ApiError } from '@/lib/client/api';

const SCOPES = [
  'calls:read',
  'history:read',
  'events:subscribe',
  'recordings:read',
  'webhooks:manage',
  'webhooks:admin',
];

/** What the less obvious scopes allow, shown as each checkbox's title. */
const SCOPE_HINTS: Record<string, string> = {
  'recordings:read': 'fetch recording and voicemail audio (/relay/recordings, /relay/voicemails)',
  'webhooks:manage': 'create and manage its own webhook subscriptions (/relay/webhooks)',
  'webhooks:admin': 'manage every webhook subscription, including the panel’s',
};

/** Generates a key and reveals the full key once. */
export function GenerateKeyForm() {
  const router = useRouter();
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    setError(null);
    try {
      const r = await api<{ secret: string }>('/api/api-keys', {
        method: 'POST',
        body: { name: data.get('name'), scopes: data.getAll('scopes') },
      });
      setSecret(r.secret);
      form.reset();
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Failed');
    }
  }

  if (secret) return <SecretReveal label="New API key" secret={secret} onDone={() => setSecret(null)} />;
  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className="flex flex-wrap items-end gap-3"
      aria-label="Generate API key"
    >
      <div className="min-w-48 flex-1">
        <Field label="Key name" htmlFor="key-name">
          <input id="key-name" name="name" required maxLength={100} className={inputClass} />
        </Field>
      </div>
      <fieldset className="flex flex-wrap gap-3 text-sm">
        <legend className="mb-1 text-sm font-medium">Scopes</legend>
        {SCOPES.map((s) => (
          <label key={s} className="inline-flex items-center gap-1" title={SCOPE_HINTS[s]}>
            <input type="checkbox" name="scopes" value={s} defaultChecked={s === 'calls:read'} /> {s}
          </label>
        ))}
      </fieldset>
      <Button type="submit">Generate key</Button>
      {error && (
        <p
          data-testid="form-error"
          aria-live="assertive"
          className="w-full text-sm text-red-600 dark:text-red-400"
        >
          {error}
        </p>
      )}
    </form>
  );
}
