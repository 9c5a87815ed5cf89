/** The app's basePath; client-side fetches do not get it added automatically. */
export const BASE_PATH = '/admin';

/** Error thrown by {@link api} with the server's code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Calls an admin JSON route (`path` without the basePath) and returns its JSON body. */
export async function api<T = unknown>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const res = await fetch(BASE_PATH + path, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok) {
    throw new ApiError(
      res.status,
      data.error?.code ?? 'INTERNAL',
      data.error?.message ?? `Request failed (${res.status})`,
    );
  }
  return data as T;
}
