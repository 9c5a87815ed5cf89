/** Faults of the simulator (see packages/simulator/README.md, "Faults"). */
export interface SimFaults {
  dropWebSockets?: boolean;
  refuseWebSockets?: boolean;
  httpErrors?: { pathPrefix: string; status: number }[];
  delayMs?: number;
  delayPathPrefix?: string;
  dbDown?: boolean;
  revokeTokens?: boolean | string;
}

/** What `POST /__sim/scenarios/{name}` answers once the flow has ended and its CDRs are written. */
export interface ScenarioSummary {
  scenario: string;
  callid: number;
  outcome: string;
  cdrsWritten: number;
}

async function call<T>(baseUrl: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}/__sim/${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`simulator ${method} /__sim/${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * The simulator's HTTP control surface (`/__sim/`), as a test drives it: the same calls work
 * whether the simulator runs in the test process or elsewhere.
 */
export function simControl(baseUrl: string) {
  return {
    setFaults: (faults: SimFaults) => call<unknown>(baseUrl, 'POST', 'faults', faults),
    clearFaults: () => call<unknown>(baseUrl, 'DELETE', 'faults'),
    /** Runs a call flow to its end; `timeScale` slows this one call down so a person (or a test) can watch it. */
    runScenario: (name: string, o: { timeScale?: number } = {}) =>
      call<ScenarioSummary>(baseUrl, 'POST', `scenarios/${name}`, o),
    /** What a user does on their phone: presence profile, queue login, registration. */
    setUser: (
      number: string,
      patch: { profile?: string; queueStatus?: 'LoggedIn' | 'LoggedOut'; registered?: boolean },
    ) => call<unknown>(baseUrl, 'POST', `users/${number}`, patch),
    setLoadRate: (rate: number) => call<unknown>(baseUrl, 'POST', 'load', { rate }),
    state: () => call<{ wsConnections: number; activeCalls: unknown[] }>(baseUrl, 'GET', 'state'),
  };
}
