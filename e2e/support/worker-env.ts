/**
 * The worker's timings for the e2e run: production code paths with short periods, so an
 * outage, a reconnect or a webhook retry shows within seconds instead of minutes.
 */
export const FAST_WORKER_ENV: Record<string, string> = {
  LOG_LEVEL: 'info',
  CDR_POLL_INTERVAL_MS: '1000',
  CDR_FLOW_QUIET_MS: '300',
  CALLCONTROL_END_GRACE_MS: '500',
  CALLCONTROL_PING_INTERVAL_MS: '5000',
  RECONNECT_BASE_MS: '100',
  RECONNECT_MAX_MS: '1000',
  XAPI_HEALTH_INTERVAL_MS: '1000',
  WORKER_HEARTBEAT_MS: '1000',
  DELIVERY_POLL_MS: '200',
  DELIVERY_TIMEOUT_MS: '3000',
  DELIVERY_LEASE_MS: '6000',
  /** Compressed retry schedule (production: 5s,5m,30m,2h,5h,10h,10h). */
  DELIVERY_RETRY_SCHEDULE: '500ms,1s,2s',
  DELIVERY_RETRY_JITTER: '0',
  API_USAGE_FLUSH_MS: '500',
  /** Longer than any test's deadline: a revocation must arrive through NOTIFY, not this safety net. */
  API_KEY_REVALIDATE_MS: '600000',
  WS_PING_INTERVAL_MS: '2000',
  /** Agent state read every 0.5 s (production: 5 s), queue membership every 2 s (60 s). */
  AGENT_STATE_POLL_MS: '500',
  AGENT_QUEUES_POLL_MS: '2000',
  QUEUE_STATS_TIME_ZONE: 'UTC',
  /** New recordings read every 0.5 s (production: 10 s). */
  RECORDING_POLL_MS: '500',
  RECORDING_MATCH_WAIT_MS: '10000',
};

/** The trunk DN of the simulator's SIP trunk and the number it is reached on. */
export const TRUNK_DIDS = '10007=32655144';
