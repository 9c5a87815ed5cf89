'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ActionButton } from '@/components/action-button';
import { SecretReveal } from '@/components/secret-reveal';
import { Button, inputClass } from '@/components/ui';
import { api, ApiError } from '@/lib/client/api';
import { SIGNING_LABEL } from '../signing-labels';

/** Admin actions on one subscription: test, rotate keys, enable/disable, retry, recover. */
export function WebhookActions({ id, enabled }: { id: string; enabled: boolean }) {
  const router = useRouter();
  const [secret, setSecret] = useState<string | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  // '' = renew the schemes in use; otherwise move to this scheme (the old keys still sign for 24 h)
  const [signing, setSigning] = useState<'' | 'hmac' | 'ed25519' | 'both'>('');

  async function rotate() {
    const what = signing ? `Switch signing to ${SIGNING_LABEL[signing]}?` : 'Rotate the signing keys?';
    if (!window.confirm(`${what} The current keys keep working for 24 hours.`)) return;
    setMsg(null);
    try {
      const r = await api<{ secret: string | null; publicKey: string | null }>(
        `/api/webhooks/${id}/rotate-secret`,
        { method: 'POST', body: signing ? { signing } : {} },
      );
      setSecret(r.secret);
      // the new whpk_ is not secret: it is listed under "Signing keys" after the refresh
      if (r.publicKey) setMsg('Rotated: the new ed25519 public key is listed under Signing keys');
      router.refresh();
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : 'Failed');
    }
  }

  async function recover(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const since = new FormData(e.currentTarget).get('since');
    const local = typeof since === 'string' ? since : '';
    setMsg(null);
    try {
      await api(`/api/webhooks/${id}/recover`, {
        method: 'POST',
        body: { since: new Date(local).toISOString() },
      });
      setMsg('Recovery requested');
      router.refresh();
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : 'Failed');
    }
  }

  return (
    <div className="space-y-3">
      {secret && <SecretReveal label="New signing secret" secret={secret} onDone={() => setSecret(null)} />}
      <div className="flex flex-wrap gap-2">
        <ActionButton
          path={`/api/webhooks/${id}/test`}
          label="Send test event"
          done="Test event requested"
          testId="send-test"
        />
        <span className="inline-flex items-stretch gap-1">
          <select
            aria-label="Signing after rotation"
            data-testid="rotate-signing"
            value={signing}
            onChange={(e) => setSigning(e.target.value as typeof signing)}
            className={inputClass.replace('w-full', 'w-auto')}
          >
            <option value="">same schemes</option>
            <option value="hmac">{SIGNING_LABEL.hmac}</option>
            <option value="ed25519">{SIGNING_LABEL.ed25519}</option>
            <option value="both">{SIGNING_LABEL.both}</option>
          </select>
          <Button type="button" variant="secondary" onClick={() => void rotate()} data-testid="rotate-secret">
            Rotate secret
          </Button>
        </span>
        <ActionButton
          path={`/api/webhooks/${id}`}
          method="PATCH"
          body={{ enabled: !enabled }}
          label={enabled ? 'Disable' : 'Enable'}
          done={enabled ? 'Disabled' : 'Enabled'}
          testId="toggle-enabled"
        />
        <ActionButton
          path={`/api/webhooks/${id}/retry-failed`}
          label="Retry failed"
          done="Retry requested"
          testId="retry-failed"
        />
      </div>
      <form
        onSubmit={(e) => void recover(e)}
        className="flex flex-wrap items-end gap-2"
        aria-label="Recover deliveries"
      >
        <div>
          <label htmlFor="since" className="mb-1 block text-xs font-medium">
            Re-send events since
          </label>
          <input id="since" name="since" type="datetime-local" required className={inputClass} />
        </div>
        <Button type="submit" variant="secondary">
          Recover
        </Button>
      </form>
      <p aria-live="polite" className="text-sm text-slate-500">
        {msg}
      </p>
    </div>
  );
}
