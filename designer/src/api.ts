// Typed client of the Workflows server API. All paths are relative to the site root.
import type { CorezoidImportReport } from './model/corezoid';
import { withoutImportNotes } from './model/importNotes';
import { errorsFromProblem } from './model/errors';
import { refusalSentence } from './model/words';
import type { TestRunRequest } from './model/testRun';
import type {
  CatalogEntry, Counters, Definition, EnvVarInfo, ProcessDetails, ProcessSummary, Task, TaskDetails,
  ValidationError, ValidationResult, VersionInfo,
} from './model/types';

export type { EnvVarInfo };
export type { CredentialInfo, CredentialKindInfo } from './model/credentials';
import type { CredentialInfo, CredentialKindInfo } from './model/credentials';

/** An HTTP error, with RFC 9457 problem details when the server sent them. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | null;
  readonly errors: ValidationError[];
  readonly body: unknown;

  constructor(status: number, body: unknown, fallback: string) {
    const b = (body && typeof body === 'object' ? body : {}) as { title?: string; detail?: string };
    const title = b.title ?? fallback;
    // A sentence, whatever the server sent (a problem, plain text, nothing).
    super(refusalSentence(status, title, b.detail));
    this.status = status;
    this.title = title;
    this.detail = b.detail ?? null;
    this.errors = errorsFromProblem(body);
    this.body = body;
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body !== undefined ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    throw new ApiError(0, null, `Cannot reach the server (${(e as Error).message})`);
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  // A lost session (expired cookie, signed out elsewhere): the app shows the sign-in form.
  if (res.status === 401 && !path.startsWith('/api/auth/')) window.dispatchEvent(new Event(SIGNED_OUT));
  if (!res.ok) throw new ApiError(res.status, parsed, `${res.status} ${res.statusText || 'Request failed'}`);
  return parsed as T;
}

/** The event the app listens to when the server says the user is no longer signed in. */
export const SIGNED_OUT = 'workflows:signed-out';

/** A user as admins see them (never with secrets). */
export interface UserInfo {
  login: string;
  role: 'admin' | 'editor' | 'viewer';
  has_password: boolean;
  created_at: string;
}

/** A new or re-keyed user's key and signed-API secret, shown once. */
export interface IssuedUser {
  login: string;
  role?: string;
  api_key: string;
  api_secret: string;
}

/** The signed-in user. */
export interface Me {
  login: string;
  role: 'admin' | 'editor' | 'viewer';
}

const enc = encodeURIComponent;
const proc = (convId: number) => `/api/processes/${convId}`;

function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface TaskFilter {
  node_id?: string;
  status?: string;
  /** success or error (of finished tasks). */
  result?: string;
  ref?: string;
  limit?: number;
}

export interface PublicOpResult {
  proc: string;
  obj?: string;
  ref?: string | null;
  obj_id?: string;
  description?: string;
}
export interface PublicResponse {
  request_proc: string;
  ops: PublicOpResult[];
}

export const api = {
  me: () => request<Me>('GET', '/api/auth/me'),
  login: (login: string, password: string) => request<Me>('POST', '/api/auth/login', { login, password }),
  logout: () => request<void>('POST', '/api/auth/logout'),
  /** Changes the signed-in user's own password. */
  changePassword: (current: string, next: string) => request<void>('POST', '/api/auth/password', { current, new: next }),
  users: () => request<UserInfo[]>('GET', '/api/users'),
  credentials: () => request<CredentialInfo[]>('GET', '/api/credentials'),
  credentialKinds: () => request<CredentialKindInfo[]>('GET', '/api/credential-kinds'),
  /** Names and kinds only: what an editor picks in a connector node. */
  credentialNames: () => request<{ name: string; kind: string }[]>('GET', '/api/credential-names'),
  putCredential: (name: string, kind: string, fields: Record<string, string>) =>
    request<unknown>('PUT', `/api/credentials/${enc(name)}`, { kind, fields }),
  patchCredential: (name: string, fields: Record<string, string | null>) =>
    request<unknown>('PATCH', `/api/credentials/${enc(name)}`, { fields }),
  testCredential: (name: string) => request<{ ok: boolean; message: string }>('POST', `/api/credentials/${enc(name)}/test`),
  deleteCredential: (name: string) => request<void>('DELETE', `/api/credentials/${enc(name)}`),
  envVars: () => request<EnvVarInfo[]>('GET', '/api/env'),
  setEnvVar: (name: string, value: string, secret: boolean) => request<EnvVarInfo>('PUT', `/api/env/${enc(name)}`, { value, secret }),
  deleteEnvVar: (name: string) => request<void>('DELETE', `/api/env/${enc(name)}`),
  createUser: (login: string, role: string, password?: string) =>
    request<IssuedUser>('POST', '/api/users', { login, role, password: password || undefined }),
  rekeyUser: (login: string) => request<IssuedUser>('POST', `/api/users/${enc(login)}/keys`),
  deleteUser: (login: string) => request<void>('DELETE', `/api/users/${enc(login)}`),
  catalog: () => request<CatalogEntry[]>('GET', '/api/catalog'),

  listProcesses: (search?: string) => request<ProcessSummary[]>('GET', `/api/processes${query({ search })}`),
  createProcess: (def: Partial<Definition> & { title: string }) =>
    request<ProcessDetails>('POST', '/api/processes', { nodes: [], ...def }),
  importCorezoid: (exported: unknown) => request<CorezoidImportReport>('POST', '/api/import/corezoid', exported),
  getProcess: (convId: number) => request<ProcessDetails>('GET', proc(convId)),
  // A version saved from the editor has no import notes: they belong to the version the import made.
  saveProcess: (convId: number, def: Definition) => request<ProcessDetails>('PUT', proc(convId), withoutImportNotes(def)),
  deleteProcess: (convId: number) => request<void>('DELETE', proc(convId)),
  exportUrl: (convId: number) => `${proc(convId)}/export`,
  pause: (convId: number) => request<ProcessSummary>('POST', `${proc(convId)}/pause`),
  resume: (convId: number) => request<ProcessSummary>('POST', `${proc(convId)}/resume`),
  regenerateHash: (convId: number) => request<ProcessSummary>('POST', `${proc(convId)}/hash`),

  validate: (def: Definition) => request<ValidationResult>('POST', '/api/validate', def),

  versions: (convId: number) => request<VersionInfo[]>('GET', `${proc(convId)}/versions`),
  version: (convId: number, version: number) => request<Definition>('GET', `${proc(convId)}/versions/${version}`),

  counters: (convId: number) => request<Counters>('GET', `${proc(convId)}/counters`),
  liveUrl: (convId: number) => `${proc(convId)}/live`,

  tasks: (convId: number, filter: TaskFilter = {}) =>
    request<Task[]>('GET', `${proc(convId)}/tasks${query({ limit: 50, ...filter })}`),
  createTask: (convId: number, data: unknown, ref?: string) =>
    request<Task>('POST', `${proc(convId)}/tasks`, { ref: ref || undefined, data }),
  task: (objId: string) => request<TaskDetails>('GET', `/api/tasks/${enc(objId)}`),
  /** A test task: pinned input and answers, counted nowhere; in a debug run it stops before its first node. */
  createTestTask: (convId: number, run: TestRunRequest) => request<Task>('POST', `${proc(convId)}/tasks`, run),
  /** A stopped test task goes on: step (this node, then stop) or continue (to the next breakpoint). */
  debugTask: (objId: string, action: 'step' | 'continue', breakpoints: string[]) =>
    request<{ proc: string }>('POST', `/api/tasks/${enc(objId)}/debug`, { action, breakpoints }),
  /** Sends a task that ended in an error back to the node that failed. */
  retryTask: (objId: string) => request<{ proc: string }>('POST', `/api/tasks/${enc(objId)}/retry`),
  /** Retries every task that ended in an error after failing in this node. */
  retryNode: (convId: number, nodeId: string) =>
    request<{ retried: number; refused: string[] }>('POST', `${proc(convId)}/nodes/${enc(nodeId)}/retry`),
  /** Wakes a task waiting for a callback; the data is merged into the task's. */
  wakeTask: (objId: string, data: Record<string, unknown>) => request<{ proc: string }>('POST', `/api/tasks/${enc(objId)}/callback`, data),
  deleteTask: (objId: string) => request<void>('DELETE', `/api/tasks/${enc(objId)}`),

  /** Sends a task through the public URL, exactly as an outside system would. */
  publicCreate: (publicUrl: string, convId: number, data: unknown, ref?: string) =>
    request<PublicResponse>('POST', publicUrl, {
      ops: [{ type: 'create', obj: 'task', conv_id: convId, ref: ref || undefined, data }],
    }),
};

/** Subscribes to the live counters stream; returns a function that closes it. */
export function subscribeCounters(
  convId: number,
  onCounters: (c: Counters) => void,
  onState?: (state: 'open' | 'error') => void,
): () => void {
  const es = new EventSource(api.liveUrl(convId));
  es.addEventListener('counters', (ev) => {
    try {
      onCounters(JSON.parse((ev as MessageEvent).data) as Counters);
    } catch {
      /* ignore malformed event */
    }
  });
  es.onopen = () => onState?.('open');
  es.onerror = () => onState?.('error');
  return () => es.close();
}

/** Absolute URL for display (curl examples). */
export function absoluteUrl(path: string): string {
  return new URL(path, window.location.origin).toString();
}
