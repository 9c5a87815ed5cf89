/** Accounts the stack seeds for the tests. */
export const USERS = {
  admin: {
    email: 'admin@relay.test',
    password: 'admin-password-e2e-1',
    role: 'admin' as const,
    name: 'Ada Admin',
  },
  viewer: {
    email: 'viewer@relay.test',
    password: 'viewer-password-e2e-1',
    role: 'viewer' as const,
    name: 'Vic Viewer',
  },
  /** Used only by the rate-limit test, so its lock-out cannot disturb the others. */
  victim: {
    email: 'locked@relay.test',
    password: 'victim-password-e2e-1',
    role: 'viewer' as const,
    name: 'Locked Out',
  },
};
