import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from './api';

function stubFetch(status: number, body: unknown) {
  const fn = vi.fn(async (_url: string, _init?: RequestInit) =>
    new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
  vi.stubGlobal('fetch', fn);
  return fn;
}

afterEach(() => vi.unstubAllGlobals());

describe('api client', () => {
  it('turns a 400 problem into an ApiError with validation errors', async () => {
    stubFetch(400, {
      type: 'about:blank', title: 'The process definition is invalid', status: 400, detail: '1 errors',
      errors: [{ node_id: 'code1', field: 'params.src', message: 'Unexpected token' }],
    });
    const err = await api.saveProcess(1001, { title: 't', nodes: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.message).toBe('The process definition is invalid: 1 errors');
    expect(err.errors).toEqual([{ node_id: 'code1', field: 'params.src', message: 'Unexpected token' }]);
  });

  it('builds task queries without empty filters', async () => {
    const f = stubFetch(200, []);
    await api.tasks(1001, { node_id: 'check', ref: '' });
    expect(f.mock.calls[0][0]).toBe('/api/processes/1001/tasks?limit=50&node_id=check');
  });

  it('sends a public create op to the public URL', async () => {
    const f = stubFetch(200, { request_proc: 'ok', ops: [{ proc: 'ok', obj: 'task', obj_id: 'x' }] });
    const res = await api.publicCreate('/api/1/json/public/1001/abc', 1001, { a: 1 }, 'r1');
    expect(res.ops[0].obj_id).toBe('x');
    const [url, init] = f.mock.calls[0];
    expect(url).toBe('/api/1/json/public/1001/abc');
    expect(init?.method).toBe('POST');
    expect(JSON.parse(String(init?.body))).toEqual({ ops: [{ type: 'create', obj: 'task', conv_id: 1001, ref: 'r1', data: { a: 1 } }] });
  });

  it('accepts empty 204 bodies', async () => {
    stubFetch(204, undefined);
    await expect(api.deleteProcess(1001)).resolves.toBeUndefined();
  });

  it('reports a 404 with the problem title', async () => {
    stubFetch(404, { title: 'Process not found', status: 404 });
    await expect(api.getProcess(9)).rejects.toMatchObject({ status: 404, message: 'Process not found' });
  });
});
