import { Agent, request } from 'undici';
import { pbxConnector } from '../../sources/pbx-tls.js';

/** A small JSON-over-HTTP helper for the doctor: 5 s timeouts, optional self-signed TLS. */
export interface DoctorHttp {
  get(url: string, token: string): Promise<{ status: number; json: unknown }>;
  postForm(url: string, form: Record<string, string>): Promise<{ status: number; json: unknown }>;
  close(): Promise<void>;
}

async function readJson(body: { text(): Promise<string> }): Promise<unknown> {
  const text = await body.text();
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return text;
  }
}

export function createDoctorHttp(opts: { pbxUrl?: string; insecureTls: boolean }): DoctorHttp {
  const dispatcher = new Agent({
    connectTimeout: 5000,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
    connect: pbxConnector(opts.pbxUrl, opts.insecureTls),
  });
  return {
    async get(url, token) {
      const res = await request(url, {
        dispatcher,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      });
      return { status: res.statusCode, json: await readJson(res.body) };
    },
    async postForm(url, form) {
      const res = await request(url, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
      });
      return { status: res.statusCode, json: await readJson(res.body) };
    },
    close: () => dispatcher.close(),
  };
}
