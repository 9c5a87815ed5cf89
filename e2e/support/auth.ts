import path from 'node:path';

/** Saved logins written by tests/auth.setup.ts. */
export const STORAGE = {
  admin: path.resolve(import.meta.dirname, '..', '.auth', 'admin.json'),
  viewer: path.resolve(import.meta.dirname, '..', '.auth', 'viewer.json'),
};
