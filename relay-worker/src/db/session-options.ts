/**
 * PostgreSQL session settings of the worker's connections to its own database (the pg
 * `options` startup parameter). `jit=off`: the worker runs short statements only, and
 * PostgreSQL JIT-compiles every plan estimated above `jit_above_cost` on every run; a claim
 * whose lane walk was misestimated spent ~0.5 s per run compiling (2026-12-05, auto_explain in
 * the delivery benchmark).
 */
export const OWN_DB_SESSION_OPTIONS = '-c jit=off';
