import { describe, expect, it } from 'vitest';
import { clearEditedErrors, errorsFromProblem, fieldErrors, fieldLabel, fieldMatches, indexErrors, otherNodeErrors } from './errors';
import { catalog } from './fixtures';

const problem = {
  type: 'https://workflows/errors/invalid-definition',
  title: 'The process definition is invalid',
  status: 400,
  detail: '4 errors',
  errors: [
    { node_id: 'code1', field: 'params.src', message: 'line 1, column 5: Unexpected token' },
    { node_id: 'check', field: 'params.rules[0].conditions[0].const', message: 'bad regexp' },
    { node_id: 'check', field: 'exits.default', message: 'exit "default" is required' },
    { node_id: null, field: 'settings.loop_limit', message: 'must be positive' },
    { node_id: 'code1', field: null, message: 'unreachable' },
  ],
};

describe('validation error mapping', () => {
  it('reads errors from a problem details body', () => {
    const errs = errorsFromProblem(problem);
    expect(errs).toHaveLength(5);
    expect(errs[3]).toEqual({ node_id: null, field: 'settings.loop_limit', message: 'must be positive' });
  });

  it('tolerates missing or odd bodies', () => {
    expect(errorsFromProblem(null)).toEqual([]);
    expect(errorsFromProblem({ title: 'x' })).toEqual([]);
    expect(errorsFromProblem({ errors: { Title: ['required'] } })).toEqual([{ node_id: null, field: 'Title', message: 'required' }]);
  });

  it('groups errors by node and keeps process-level ones apart', () => {
    const idx = indexErrors(errorsFromProblem(problem));
    expect(Object.keys(idx.byNode).sort()).toEqual(['check', 'code1']);
    expect(idx.process.map((e) => e.field)).toEqual(['settings.loop_limit']);
    expect(idx.all).toHaveLength(5);
  });

  it('finds the errors of a field, including nested paths', () => {
    const idx = indexErrors(errorsFromProblem(problem));
    expect(fieldErrors(idx, 'code1', 'params.src')).toEqual(['line 1, column 5: Unexpected token']);
    expect(fieldErrors(idx, 'check', 'params.rules')).toEqual(['bad regexp']);
    expect(fieldErrors(idx, 'check', 'params.src')).toEqual([]);
  });

  it('matches paths only on boundaries', () => {
    expect(fieldMatches('params.rules[1].exit', 'params.rules')).toBe(true);
    expect(fieldMatches('params.rulesX', 'params.rules')).toBe(false);
    expect(fieldMatches('params.src', 'params.src')).toBe(true);
  });

  it('lists node errors not shown next to a field', () => {
    const idx = indexErrors(errorsFromProblem(problem));
    expect(otherNodeErrors(idx, 'code1', ['params.src', 'title'])).toEqual(['unreachable']);
    expect(otherNodeErrors(idx, 'check', ['params.rules'])).toEqual(['exits.default: exit "default" is required']);
  });
});

describe('clearing errors of an edited field', () => {
  const errs = errorsFromProblem(problem);
  it('drops the errors of that node field only', () => {
    const out = clearEditedErrors(errs, 'check:params.rules');
    expect(out.map((e) => e.field)).toEqual(['params.src', 'exits.default', 'settings.loop_limit', null]);
  });
  it('handles process-level fields and unknown keys', () => {
    expect(clearEditedErrors(errs, 'process:settings').length).toBe(4);
    expect(clearEditedErrors(errs, 'code1:title')).toBe(errs);
    expect(clearEditedErrors(errs, 'nokey')).toBe(errs);
  });
});

describe('fieldLabel', () => {
  const code = catalog.find((c) => c.type === 'code')!;
  it('names a parameter and an exit by their labels', () => {
    expect(fieldLabel('params.src', code)).toBe('JavaScript');
    expect(fieldLabel('exits.error', code)).toBe('Error exit');
    expect(fieldLabel('title', code)).toBe('Title');
  });
  it('keeps what follows the parameter, and the path when nothing fits', () => {
    expect(fieldLabel('params.src.line', code)).toBe('JavaScript › line');
    expect(fieldLabel('params.nope', code)).toBe('nope');
    expect(fieldLabel('weird', code)).toBe('weird');
    expect(fieldLabel('params.src', undefined)).toBe('src');
  });
  it('names process fields', () => {
    expect(fieldLabel('alias', null, true)).toBe('Alias');
    expect(fieldLabel('settings.loop_limit', null, true)).toBe('Settings › loop_limit');
  });
});
