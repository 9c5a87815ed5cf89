import { expect, test as setup } from '@playwright/test';
import { STORAGE } from '../support/auth.js';
import { USERS } from '../support/users.js';

for (const role of ['admin', 'viewer'] as const) {
  setup(`sign in as ${role}`, async ({ request }) => {
    const res = await request.post('/admin/api/login', {
      data: { email: USERS[role].email, password: USERS[role].password },
    });
    expect(res.status()).toBe(200);
    await request.storageState({ path: STORAGE[role] });
  });
}
