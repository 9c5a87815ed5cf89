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

/**
 * The caller's address for throttling: the peer, or, when the peer is loopback (nginx on this
 * box), the `X-Real-IP` nginx set (it overwrites the client's own).
 */
export function clientAddress(req: {
  socket: { remoteAddress?: string | undefined };
  headers: Record<string, string | string[] | undefined>;
}): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  const real = req.headers['x-real-ip'];
  return LOOPBACK.test(peer) && typeof real === 'string' && real ? real : peer;
}
