import type { FastifyRequest } from 'fastify';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * Whether a request comes straight from a process on this machine, not through nginx: a
 * loopback peer without the `X-Forwarded-For` / `X-Real-IP` that the relay's nginx site always
 * sets (it overwrites what clients send). Such callers may see internals (metrics, health details).
 */
export function isDirectLoopback(req: FastifyRequest): boolean {
  return (
    LOOPBACK.test(req.socket.remoteAddress ?? '') &&
    !req.headers['x-forwarded-for'] &&
    !req.headers['x-real-ip']
  );
}
