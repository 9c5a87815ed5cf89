// @ts-check
/**
 * The panel lives under /admin behind nginx. Plain JavaScript on purpose: a `next.config.ts`
 * makes `next start` load Next's SWC compiler (24 MB resident) just to read this file.
 * The workspace packages are loaded at run time, not bundled (see `src/lib/workspace.ts`).
 * Security headers that do not depend on the request live here; the CSP (which carries a
 * per-request nonce) is set in `src/proxy.ts`.
 * @type {import('next').NextConfig}
 */
const nextConfig = {
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
