'use client';

import { useState } from 'react';
import { Button } from '@/components/ui';

/**
 * A `whpk_` ed25519 public key with a copy button. Not secret: receivers verify `v1a`
 * signatures with it, so it stays viewable (unlike a `whsec_`, revealed once).
 */
export function PublicKey({ value, label = 'Public key' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="mt-1 flex items-start gap-2">
      <code
        data-testid="public-key"
        aria-label={label}
        className="block min-w-0 flex-1 break-all rounded bg-slate-100 px-2 py-1 font-mono text-xs dark:bg-slate-950"
      >
        {value}
      </code>
      <Button
        type="button"
        variant="secondary"
        className="px-2 py-1 text-xs"
        onClick={() =>
          void navigator.clipboard
            .writeText(value)
            .catch(() => {})
            .then(() => setCopied(true))
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </Button>
    </div>
  );
}
