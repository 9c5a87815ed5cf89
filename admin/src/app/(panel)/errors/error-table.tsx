'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { formatTime } from '@/components/format';
import { SeverityBadge } from '@/components/severity-badge';
import { Button, Empty, TableWrap, TBody, Td, Th } from '@/components/ui';
import { api, ApiError } from '@/lib/client/api';

/** An error row as sent to the browser. */
export interface ErrorRow {
  id: string;
  occurredAt: string;
  severity: string;
  component: string;
  code: string | null;
  message: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

/** The error list with per-row and bulk acknowledge (admins). */
export function ErrorTable({ rows, canAck }: { rows: ErrorRow[]; canAck: boolean }) {
  const router = useRouter();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [msg, setMsg] = useState<string | null>(null);
  const open = rows.filter((r) => !r.acknowledgedAt);

  async function ack(ids: string[]) {
    setMsg(null);
    try {
      const r =
        ids.length === 1
          ? await api<{ acknowledged: number }>(`/api/errors/${ids[0]}/acknowledge`, { method: 'POST' })
          : await api<{ acknowledged: number }>('/api/errors/acknowledge', { method: 'POST', body: { ids } });
      setMsg(`${r.acknowledged} acknowledged`);
      setSelected(new Set());
      router.refresh();
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : 'Failed');
    }
  }

  if (rows.length === 0) return <Empty>No errors match.</Empty>;
  return (
    <>
      {canAck && (
        <div className="mb-2 flex flex-wrap items-center gap-2">
          <Button
            type="button"
            variant="secondary"
            disabled={selected.size === 0}
            onClick={() => void ack([...selected])}
          >
            Acknowledge selected ({selected.size})
          </Button>
          <span aria-live="polite" className="text-sm text-slate-500">
            {msg}
          </span>
        </div>
      )}
      <TableWrap>
        <thead>
          <tr>
            {canAck && (
              <Th>
                <input
                  type="checkbox"
                  aria-label="Select all open errors on this page"
                  checked={open.length > 0 && open.every((r) => selected.has(r.id))}
                  onChange={(e) => setSelected(new Set(e.target.checked ? open.map((r) => r.id) : []))}
                />
              </Th>
            )}
            <Th>Time</Th>
            <Th>Severity</Th>
            <Th>Component</Th>
            <Th>Message</Th>
            <Th>Acknowledged</Th>
          </tr>
        </thead>
        <TBody testId="error-rows">
          {rows.map((r) => (
            <tr key={r.id} data-testid={`error-row-${r.id}`} data-acknowledged={Boolean(r.acknowledgedAt)}>
              {canAck && (
                <Td>
                  {!r.acknowledgedAt && (
                    <input
                      type="checkbox"
                      aria-label={`Select error ${r.id}`}
                      checked={selected.has(r.id)}
                      onChange={(e) => {
                        const next = new Set(selected);
                        if (e.target.checked) next.add(r.id);
                        else next.delete(r.id);
                        setSelected(next);
                      }}
                    />
                  )}
                </Td>
              )}
              <Td className="whitespace-nowrap text-xs">{formatTime(r.occurredAt)}</Td>
              <Td>
                <SeverityBadge severity={r.severity} />
              </Td>
              <Td className="text-xs">
                {r.component}
                {r.code && <div className="text-slate-500">{r.code}</div>}
              </Td>
              <Td className="max-w-md break-words">{r.message}</Td>
              <Td className="text-xs">
                {r.acknowledgedAt ? (
                  <>
                    {r.acknowledgedBy ?? 'unknown'}
                    <div className="text-slate-500">{formatTime(r.acknowledgedAt)}</div>
                  </>
                ) : canAck ? (
                  <Button
                    type="button"
                    variant="secondary"
                    onClick={() => void ack([r.id])}
                    aria-label={`Acknowledge error ${r.id}`}
                  >
                    Acknowledge
                  </Button>
                ) : (
                  'open'
                )}
              </Td>
            </tr>
          ))}
        </TBody>
      </TableWrap>
    </>
  );
}
