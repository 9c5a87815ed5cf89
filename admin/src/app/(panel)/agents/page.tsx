import type { Metadata } from 'next';
import { formatTime } from '@/components/format';
import { FilterForm, SelectField } from '@/components/filter-form';
import { LiveRefresh } from '@/components/live-refresh';
import { Pagination } from '@/components/pagination';
import { Badge, Card, Empty, PageHeader, TableWrap, TBody, Td, Th, inputClass } from '@/components/ui';
import { db } from '@/lib/db';
import { AGENT_CHANGES, AgentHistoryFilter, PRESENCES, listAgentHistory } from '@/lib/data/agent-history';

export const metadata: Metadata = { title: 'Agent state history' };

const CHANGE_LABEL: Record<string, string> = {
  profile: 'Profile',
  dnd: 'DND',
  queueStatus: 'Queue login',
  registered: 'Registration',
  queues: 'Queue membership',
};

function TextFilter({
  name,
  label,
  value,
  type = 'text',
}: {
  name: string;
  label: string;
  value?: string;
  type?: string;
}) {
  return (
    <div>
      <label htmlFor={name} className="mb-1 block text-xs font-medium">
        {label}
      </label>
      <input id={name} name={name} type={type} defaultValue={value ?? ''} className={`${inputClass} w-36`} />
    </div>
  );
}

/**
 * Every agent.status_changed the relay recorded (3CX keeps no operator state history), newest
 * first, filtered by extension, kind of change, presence and day (UTC).
 */
export default async function AgentHistoryPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string>>;
}) {
  const f = AgentHistoryFilter.parse(await searchParams);
  const page = await listAgentHistory(await db(), f);
  return (
    <>
      <PageHeader title="Agent state history">
        <LiveRefresh kinds={['wallboard']} />
      </PageHeader>
      <Card>
        <FilterForm submitLabel="Filter">
          <TextFilter name="extension" label="Extension" value={f.extension} />
          <SelectField
            name="change"
            label="Change"
            defaultValue={f.change}
            options={[
              { value: '', label: 'Any' },
              ...AGENT_CHANGES.map((c) => ({ value: c, label: CHANGE_LABEL[c]! })),
            ]}
          />
          <SelectField
            name="presence"
            label="Presence"
            defaultValue={f.presence}
            options={[
              { value: '', label: 'Any' },
              ...PRESENCES.map((p) => ({ value: p, label: p.replace(/_/g, ' ') })),
            ]}
          />
          <TextFilter name="from" label="From (UTC)" value={f.from} type="date" />
          <TextFilter name="to" label="To (UTC)" value={f.to} type="date" />
        </FilterForm>
        {page.rows.length === 0 ? (
          <Empty>No agent state changes match.</Empty>
        ) : (
          <TableWrap>
            <thead>
              <tr>
                <Th>When</Th>
                <Th>Extension</Th>
                <Th>Changed</Th>
                <Th>Now</Th>
                <Th>Before</Th>
              </tr>
            </thead>
            <TBody testId="agent-history">
              {page.rows.map((r) => {
                const before = (r.previous ?? null) as {
                  profileName?: string | null;
                  queueStatus?: string;
                } | null;
                return (
                  <tr key={r.id.toString()} data-testid="agent-history-row" data-extension={r.extension}>
                    <Td className="whitespace-nowrap">{formatTime(r.occurredAt)}</Td>
                    <Td>
                      <span className="font-mono">{r.extension}</span> {r.name}
                    </Td>
                    <Td>
                      <span className="flex flex-wrap gap-1">
                        {r.changed.map((c) => (
                          <Badge key={c} tone="blue">
                            {CHANGE_LABEL[c] ?? c}
                          </Badge>
                        ))}
                      </span>
                    </Td>
                    <Td>
                      <span data-testid="agent-history-now">
                        {r.profileName ?? r.presence}
                        {r.dnd ? ', DND' : ''}, {r.queueStatus === 'logged_in' ? 'in queues' : 'logged out'}
                        {r.registered ? '' : ', offline'}
                      </span>
                    </Td>
                    <Td className="text-slate-500">
                      {before
                        ? `${before.profileName ?? '—'}, ${before.queueStatus === 'logged_in' ? 'in queues' : 'logged out'}`
                        : '—'}
                    </Td>
                  </tr>
                );
              })}
            </TBody>
          </TableWrap>
        )}
        <Pagination
          of={page}
          path="/agents"
          params={{ extension: f.extension, change: f.change, presence: f.presence, from: f.from, to: f.to }}
        />
      </Card>
    </>
  );
}
