import { describe, expect, it } from 'vitest';
import { publicAnswerSentence, refusalSentence } from './words';

describe('refusalSentence', () => {
  it('uses what the server said', () => {
    expect(refusalSentence(409, 'The task cannot be retried', 'it is not finished')).toBe('The task cannot be retried: it is not finished');
    expect(refusalSentence(400, null, 'a password needs at least 10 characters')).toBe('A password needs at least 10 characters');
  });
  it('says what a bare status means', () => {
    expect(refusalSentence(429, '429 Too Many Requests', null)).toBe('Too many requests at once. Wait a moment and try again.');
    expect(refusalSentence(503, '503 Service Unavailable', null)).toContain('The server failed to do this (HTTP 503)');
    expect(refusalSentence(0, 'Cannot reach the server (Failed to fetch)', null)).toBe('Cannot reach the server (Failed to fetch)');
  });
});

describe('publicAnswerSentence', () => {
  it('turns a paused process\'s refusal into a sentence with what to do', () => {
    const answer = { request_proc: 'ok', ops: [{ proc: 'process_paused', description: 'process 7 is paused and accepts no new tasks' }] };
    expect(publicAnswerSentence(answer)).toBe('The task was not created: process 7 is paused and accepts no new tasks. Resume the process (Process tab) and send it again.');
  });
  it('finds the hint from the engine\'s sentence when the proc is a plain error', () => {
    const answer = { request_proc: 'ok', ops: [{ proc: 'error', description: 'process 1001 is paused and accepts no new tasks' }] };
    expect(publicAnswerSentence(answer)).toContain('Resume the process (Process tab)');
  });
  it('never shows JSON', () => {
    expect(publicAnswerSentence({ request_proc: 'ok', ops: [{ proc: 'error' }] })).toBe('The server did not create the task and did not say why.');
    expect(publicAnswerSentence({ request_proc: 'error', ops: [] })).toBe('The task was not created: error.');
  });
});
