/** HTTP load generator in its own process: undici Pool, 64 keep-alive connections, GET loop. */
import { Pool } from 'undici';
import { Samples, percentile } from './stats.js';
import { serve } from './child.js';

serve(
  {
    run: async (m) => {
      const u = new URL(m.url);
      const pool = new Pool(u.origin, { connections: 64 });
      const rtt = new Samples(2_000_000);
      const statuses: Record<string, number> = {};
      let n = 0;
      const end = Date.now() + m.ms;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (Date.now() < end && n < 5_000_000) {
            n++;
            const t = performance.now();
            const res = await pool.request({
              path: u.pathname + u.search,
              method: 'GET',
              headers: m.headers ?? {},
            });
            await res.body.dump();
            rtt.add(performance.now() - t);
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          }
        }),
      );
      const secs = (performance.now() - started) / 1000;
      await pool.close();
      return {
        rps: n / secs,
        p50: percentile(rtt.values(), 50),
        p99: percentile(rtt.values(), 99),
        statuses,
      };
    },
  },
  true,
);
