import type { NextConfig } from 'next';

/**
 * The panel lives under /admin behind nginx. The workspace packages ship TypeScript source whose
 * relative imports end in `.js` (NodeNext style), which Turbopack 16.4 cannot resolve (no
 * `extensionAlias`); `src/lib/workspace.ts` loads them at run time through tsx instead.
 * Security headers that do not depend on the request live here; the CSP (which carries a
 * per-request nonce) is set in `src/proxy.ts`.
 */
const nextConfig: NextConfig = {
  basePath: '/admin',
  poweredByHeader: false,
  reactStrictMode: true,
  serverExternalPackages: ['bcrypt', 'pg', 'pino'],
  headers() {
    return Promise.resolve([
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Referrer-Policy', value: 'no-referrer' },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
        ],
      },
    ]);
  },
};

export default nextConfig;
