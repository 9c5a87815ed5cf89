'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { SecretReveal } from '@/components/secret-reveal';
import { Button, Field, inputClass } from '@/components/ui';
import { api, ApiError } from '@/lib/client/api';
import { HeaderFields, readHeaderFields } from './header-fields';
import { PublicKey } from './public-key';

/** Editable fields of a subscription. */
export interface WebhookValues {
  id?: string;
  name: string;
  url: string;
  description: string;
  eventTypes: string[];
  extensions: string[];
  dids: string[];
  queues: string[];
  departments: string[];
  /** `per-call` or `none`. */
  ordering: string;
  timeoutMs: number | null;
  maxConcurrency: number;
  rateLimitPerSecond: number | null;
  allowedCidrs: string[] | null;
  /** Names of the extra headers (their values never reach the browser). */
  headerNames: string[];
}

/** What a create answered: the `whsec_` to reveal once and/or the `whpk_` to show. */
interface Created {
  id: string;
  secret: string | null;
  publicKey: string | null;
}

/** Short notes under event types that behave differently from call and CDR events. */
const TYPE_HINTS: Record<string, string> = {
  'relay.status_changed': 'PBX source went down/up; only sent when chosen',
  'subscription.failing': 'another endpoint keeps failing; only sent when chosen',
  'subscription.disabled': 'another endpoint was disabled; only sent when chosen',
  'subscription.recovered': 'a failing endpoint delivers again; only sent when chosen',
};

/** A number field: empty means null (the relay default / no limit). */
const numberOrNull = (v: FormDataEntryValue | null) => (typeof v === 'string' && v.trim() ? Number(v) : null);

const splitList = (v: FormDataEntryValue | null) =>
  (typeof v === 'string' ? v : '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Department names may hold spaces: only commas separate them. */
const splitNames = (v: FormDataEntryValue | null) =>
  (typeof v === 'string' ? v : '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Create or edit a subscription. On create, the signature scheme is chosen and the new HMAC
 * secret is revealed once; an ed25519 public key is shown here and stays on the subscription.
 */
export function WebhookForm({ initial, eventTypes }: { initial?: WebhookValues; eventTypes: string[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [created, setCreated] = useState<Created | null>(null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const d = new FormData(e.currentTarget);
    const body = {
      name: d.get('name'),
      url: d.get('url'),
      description: d.get('description') ?? '',
      eventTypes: d.getAll('eventTypes'),
      extensions: splitList(d.get('extensions')),
      dids: splitList(d.get('dids')),
      queues: splitList(d.get('queues')),
      departments: splitNames(d.get('departments')),
      ordering: d.get('ordering'),
      timeoutMs: numberOrNull(d.get('timeoutMs')),
      maxConcurrency: numberOrNull(d.get('maxConcurrency')) ?? 8,
      rateLimitPerSecond: numberOrNull(d.get('rateLimitPerSecond')),
      allowedCidrs: splitList(d.get('allowedCidrs')),
      headers: readHeaderFields(d, initial?.headerNames ?? []),
      ...(initial?.id ? {} : { signing: d.get('signing') }),
    };
    setError(null);
    setSaved(null);
    try {
      if (initial?.id) {
        await api(`/api/webhooks/${initial.id}`, { method: 'PATCH', body });
        setSaved('Saved');
        router.refresh();
      } else {
        const r = await api<{
          subscription: { id: string };
          secret: string | null;
          publicKey: string | null;
        }>('/api/webhooks', { method: 'POST', body });
        setCreated({ id: r.subscription.id, secret: r.secret, publicKey: r.publicKey });
      }
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Failed');
    }
  }

  if (created) {
    return (
      <div className="space-y-3">
        {created.secret && (
          <SecretReveal
            label="Signing secret"
            secret={created.secret}
            onDone={() => router.push(`/webhooks/${created.id}`)}
          />
        )}
        {created.publicKey && (
          <div role="region" aria-label="ed25519 public key">
            <p className="text-sm font-medium">
              ed25519 public key: receivers verify <code>v1a</code> signatures with it. It is not secret and
              stays on the subscription page.
            </p>
            <PublicKey value={created.publicKey} />
          </div>
        )}
        <Link
          href={`/webhooks/${created.id}`}
          className="text-sm text-sky-700 hover:underline dark:text-sky-400"
        >
          Open the subscription
        </Link>
      </div>
    );
  }
  const v = initial;
  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className="grid gap-4 md:grid-cols-2"
      aria-label={v?.id ? 'Edit subscription' : 'New subscription'}
    >
      <Field label="Name" htmlFor="wh-name">
        <input
          id="wh-name"
          name="name"
          required
          maxLength={100}
          defaultValue={v?.name}
          className={inputClass}
        />
      </Field>
      <Field
        label="URL"
        htmlFor="wh-url"
        hint="Where events are POSTed, signed with Standard Webhooks headers."
      >
        <input
          id="wh-url"
          name="url"
          type="url"
          required
          defaultValue={v?.url}
          placeholder="https://crm.example.com/hooks/3cx"
          className={inputClass}
        />
      </Field>
      <div className="md:col-span-2">
        <Field label="Description" htmlFor="wh-description">
          <input
            id="wh-description"
            name="description"
            maxLength={500}
            defaultValue={v?.description}
            className={inputClass}
          />
        </Field>
      </div>
      <fieldset className="md:col-span-2">
        <legend className="mb-1 text-sm font-medium">
          Event types (none ticked = all call and CDR events)
        </legend>
        <div className="flex flex-wrap gap-3 text-sm">
          {eventTypes.map((t) => (
            <span key={t} className="inline-flex items-center gap-1">
              <label className="inline-flex items-center gap-1">
                <input
                  type="checkbox"
                  name="eventTypes"
                  value={t}
                  defaultChecked={v?.eventTypes.includes(t)}
                  aria-describedby={TYPE_HINTS[t] ? `wh-type-hint-${t}` : undefined}
                />{' '}
                {t}
              </label>
              {TYPE_HINTS[t] && (
                <span id={`wh-type-hint-${t}`} className="text-xs text-slate-500 dark:text-slate-400">
                  ({TYPE_HINTS[t]})
                </span>
              )}
            </span>
          ))}
        </div>
      </fieldset>
      <Field label="Extensions" htmlFor="wh-extensions" hint="Comma-separated; empty = any.">
        <input
          id="wh-extensions"
          name="extensions"
          defaultValue={v?.extensions.join(', ')}
          className={inputClass}
        />
      </Field>
      <Field label="DIDs" htmlFor="wh-dids" hint="Comma-separated; empty = any.">
        <input id="wh-dids" name="dids" defaultValue={v?.dids.join(', ')} className={inputClass} />
      </Field>
      <Field label="Queues" htmlFor="wh-queues" hint="Comma-separated; empty = any.">
        <input id="wh-queues" name="queues" defaultValue={v?.queues.join(', ')} className={inputClass} />
      </Field>
      <Field
        label="Departments"
        htmlFor="wh-departments"
        hint="3CX departments, comma-separated (e.g. Sales, __DEFAULT__); empty = any. Only CDR events (cdr.created, call.completed) carry one."
      >
        <input
          id="wh-departments"
          name="departments"
          defaultValue={v?.departments.join(', ')}
          className={inputClass}
        />
      </Field>
      {!v?.id && (
        <Field
          label="Signature scheme"
          htmlFor="wh-signing"
          hint="Standard Webhooks prefers asymmetric: receivers of ed25519 hold only a public key."
        >
          <select id="wh-signing" name="signing" defaultValue="hmac" className={inputClass}>
            <option value="hmac">HMAC-SHA256 (v1, whsec_ secret)</option>
            <option value="ed25519">ed25519 (v1a, whpk_ public key)</option>
            <option value="both">Both (v1 and v1a)</option>
          </select>
        </Field>
      )}
      <Field
        label="Ordering"
        htmlFor="wh-ordering"
        hint="Per call: the events of one call arrive in order; a retry holds back only that call."
      >
        <select
          id="wh-ordering"
          name="ordering"
          defaultValue={v?.ordering ?? 'per-call'}
          className={inputClass}
        >
          <option value="per-call">Per call (in order)</option>
          <option value="none">None (as they come)</option>
        </select>
      </Field>
      <Field label="Timeout (ms)" htmlFor="wh-timeout" hint="Empty: the relay default (15 s). 1,000–60,000.">
        <input
          id="wh-timeout"
          name="timeoutMs"
          type="number"
          min={1000}
          max={60000}
          step={100}
          defaultValue={v?.timeoutMs ?? ''}
          className={inputClass}
        />
      </Field>
      <Field
        label="Max concurrency"
        htmlFor="wh-concurrency"
        hint="Requests in flight to this endpoint at once, 1–64."
      >
        <input
          id="wh-concurrency"
          name="maxConcurrency"
          type="number"
          min={1}
          max={64}
          defaultValue={v?.maxConcurrency ?? 8}
          className={inputClass}
        />
      </Field>
      <Field label="Rate limit (deliveries/s)" htmlFor="wh-rate" hint="Empty: no limit.">
        <input
          id="wh-rate"
          name="rateLimitPerSecond"
          type="number"
          min={0.1}
          max={10000}
          step="any"
          defaultValue={v?.rateLimitPerSecond ?? ''}
          className={inputClass}
        />
      </Field>
      <div className="md:col-span-2">
        <Field
          label="Allowed private networks"
          htmlFor="wh-cidrs"
          hint="CIDRs the URL may resolve to for an on-premise CRM, e.g. 10.20.0.0/16 or 127.0.0.1; empty = public addresses only. Cloud metadata addresses are always refused."
        >
          <textarea
            id="wh-cidrs"
            name="allowedCidrs"
            rows={2}
            defaultValue={(v?.allowedCidrs ?? []).join('\n')}
            className={inputClass}
          />
        </Field>
      </div>
      <HeaderFields existing={v?.headerNames ?? []} />
      <div className="flex items-center gap-3 md:col-span-2">
        <Button type="submit">{v?.id ? 'Save changes' : 'Create subscription'}</Button>
        <span aria-live="polite" className="text-sm text-slate-500">
          {saved}
        </span>
        {error && (
          <p
            data-testid="form-error"
            aria-live="assertive"
            className="text-sm text-red-600 dark:text-red-400"
          >
            {error}
          </p>
        )}
      </div>
    </form>
  );
}
