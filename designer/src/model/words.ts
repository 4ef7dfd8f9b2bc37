// Server answers in the analyst's words: refusals as sentences, never raw JSON.

/** A sentence for an HTTP refusal: the server's own title and detail when it sent them, else what the status means. */
export function refusalSentence(status: number, title: string | null | undefined, detail: string | null | undefined): string {
  if (title && detail) return `${title}: ${detail}`;
  if (detail) return capitalise(detail);
  if (title && !/^\d{3}\b/.test(title)) return title;
  if (status === 0) return 'The server cannot be reached. Check the connection and try again.';
  if (status === 401) return 'You are signed out. Sign in again.';
  if (status === 403) return 'Your role does not allow this. Ask an admin.';
  if (status === 404) return 'It does not exist (any more).';
  if (status === 413) return 'That is too large for the server.';
  if (status === 429) return 'Too many requests at once. Wait a moment and try again.';
  if (status >= 500) return `The server failed to do this (HTTP ${status}). Try again; if it keeps failing, tell an admin.`;
  return title || `The server refused this (HTTP ${status}).`;
}

interface PublicOp {
  proc?: string;
  description?: string;
  obj_id?: string;
}

/** What the public API said about a create that did not go through, as a sentence with what to do. */
export function publicAnswerSentence(answer: { request_proc?: string; ops?: PublicOp[] } | null | undefined): string {
  const op = answer?.ops?.[0];
  const why = op?.description ?? (answer?.request_proc && answer.request_proc !== 'ok' ? answer.request_proc : null);
  // The public API answers a refused create with proc "error" and the engine's sentence; the hint is found from either.
  const hint = (op?.proc ? HINTS[op.proc] : undefined) ?? (why && / is paused\b/.test(why) ? HINTS.process_paused : '');
  if (!why) return 'The server did not create the task and did not say why.';
  return `The task was not created: ${why}.${hint ? ` ${hint}` : ''}`.replace('..', '.');
}

const HINTS: Record<string, string> = {
  process_paused: 'Resume the process (Process tab) and send it again.',
  process_broken: 'Open the Process tab to see why, fix it and save.',
  ref_already_exists: 'Use another reference, or leave it empty.',
};

function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
