// Types of the Workflows server contract (JSON, snake_case).
import type { components } from '../generated/api';
import type { ImportIssue } from './corezoid';

export interface NodeDef {
  id: string;
  type: string;
  title?: string;
  description?: string;
  x?: number;
  y?: number;
  params: Record<string, unknown>;
  exits: Record<string, string>;
  /** Corezoid's count semaphor: escalate to a process when more than `max` tasks sit here. */
  count_limit?: { max: number; conv_id: string } | null;
  /** Corezoid's time semaphor: a task still here after it leaves by the `timeout` exit. */
  time_limit?: { seconds?: number | null; until?: string | null } | null;
}

/** Corezoid's process parameter: what a task brings (input) and what the process gives back (output). */
export interface ProcessParam {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'object' | 'array';
  description?: string | null;
  required?: boolean;
  input?: boolean;
  output?: boolean;
}

export interface Definition {
  conv_id?: number;
  params?: ProcessParam[] | null;
  title: string;
  description?: string;
  alias?: string | null;
  /** process (default) or state: a state diagram whose tasks are kept by ref. */
  kind?: 'process' | 'state' | null;
  settings?: Record<string, unknown>;
  nodes: NodeDef[];
  /** What the Corezoid import changed or could not convert, kept with the version it made (model/importNotes). */
  import_notes?: ImportIssue[] | null;
}

export type ParamType =
  | 'string'
  | 'template'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'select'
  | 'code'
  | 'key_value'
  | 'json'
  | 'rules';

export interface ParamOption {
  value: string;
  label?: string;
}

export interface ParamSchema {
  name: string;
  type: ParamType | string;
  label?: string;
  required?: boolean;
  default?: unknown;
  /** Options of a `select`; the server may send plain strings or {value,label}. */
  options?: (string | ParamOption)[] | null;
  help?: string | null;
  /** Bounds of a number or integer (the engine checks the same ones). */
  min?: number | null;
  max?: number | null;
  /** Of a `rules` parameter: the comparisons and casts the engine knows; of a `template`: the engine's $.functions (label: how one is written). */
  functions?: ParamOption[] | null;
  casts?: string[] | null;
  /** A string naming a stored credential of this kind (connector nodes): picked from a list. */
  credential_kind?: string | null;
}

export interface ExitSchema {
  name: string;
  label?: string;
  required?: boolean;
}

export interface CatalogEntry {
  type: string;
  title: string;
  category: string;
  icon?: string;
  kind?: 'instant' | 'effect' | 'wait' | 'final' | string;
  parameters: ParamSchema[];
  exits: ExitSchema[];
  error_kind?: string | null;
  help?: string | null;
}

// The API's answers: generated from the server's OpenAPI document (see scripts/api-types.mjs).
type Schemas = components['schemas'];
export type ProcessSummary = Schemas['ProcessSummary'];
/** The definition is the process file (docs/process.schema.json), typed above. */
export type ProcessDetails = Omit<Schemas['ProcessDetails'], 'definition'> & { definition: Definition };
export type ValidationError = Schemas['ValidationError'];
export type ValidationResult = Schemas['ValidationResult'];
export type VersionInfo = Schemas['VersionInfo'];
export type NodeCounter = Schemas['NodeCounter'];
export type Counters = Schemas['ProcessCounters'];
export type Task = Schemas['TaskInfo'];
export type HistoryStep = Schemas['HistoryStep'];
export type TaskDetails = Schemas['TaskDetails'];
/** An environment variable ({{env_var[@name]}}); a secret's value is never sent back. */
export type EnvVarInfo = Schemas['EnvVarInfo'];

/** Condition rule of a `condition` node. */
export interface Condition {
  param: string;
  fun: ConditionFun;
  const: string;
  cast?: 'string' | 'number' | 'boolean';
}

/** A comparison name; the list of them comes from the catalog (the rules parameter's `functions`). */
export type ConditionFun = string;

export interface Rule {
  exit: string;
  conditions?: Condition[];
  js?: string;
}
