import { Card, PageHeader } from '@/components/ui';

/** Where viewers land when they open an admin-only page. */
export default function ForbiddenPage() {
  return (
    <>
      <PageHeader title="Admins only" />
      <Card>
        <p className="text-sm">
          Your account can view the panel but not this page. Ask an admin if you need access.
        </p>
      </Card>
    </>
  );
}
