'use client';

import { useState } from 'react';
import { Button } from './ui';

/** Shows a secret exactly once, with a copy button. The parent drops it on "Done". */
export function SecretReveal({
  label,
  secret,
  onDone,
}: {
  label: string;
  secret: string;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div
      role="region"
      aria-label={label}
      className="rounded-lg border border-amber-400 bg-amber-50 p-3 dark:border-amber-600 dark:bg-amber-950/40"
    >
      <p className="mb-2 text-sm font-medium">{label}: copy it now, it will not be shown again.</p>
      <code
        data-testid="revealed-secret"
        className="block break-all rounded bg-white px-2 py-1 font-mono text-xs dark:bg-slate-950"
      >
        {secret}
      </code>
      <div className="mt-2 flex gap-2">
        <Button
          type="button"
          variant="secondary"
          onClick={() =>
            void navigator.clipboard
              .writeText(secret)
              .catch(() => {})
              .then(() => setCopied(true))
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
        <Button type="button" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}
