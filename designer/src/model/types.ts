// Types of the Workflows server contract (JSON, snake_case).

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
  settings?: Record<string, unknown>;
  nodes: NodeDef[];
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
  /** Of a `rules` parameter: the comparisons and casts the engine knows. */
  functions?: ParamOption[] | null;
  casts?: string[] | null;
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

export interface ProcessSummary {
  conv_id: number;
  title: string;
  description?: string | null;
  alias?: string | null;
  status: 'active' | 'paused' | 'broken' | string;
  /** Why a stored version cannot run (the process keeps its tasks and takes no new ones until saved again). */
  broken?: string | null;
  version: number;
  hash: string;
  public_url: string;
  tasks: number;
  created_at: string;
  changed_at: string;
}

export interface ProcessDetails extends ProcessSummary {
  definition: Definition;
  /** Accepted, with remarks (a node no path reaches). */
  warnings?: ValidationError[];
}

export interface ValidationError {
  node_id: string | null;
  field: string | null;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: ValidationError[];
  warnings?: ValidationError[];
}

export interface VersionInfo {
  version: number;
  created_at: string;
}

export interface NodeCounter {
  now: number;
  entered: number;
  left: number;
}

export interface Counters {
  conv_id: number;
  nodes: Record<string, NodeCounter>;
  /** Running sums of sum nodes: node id → sum name → exact decimal text. */
  sums?: Record<string, Record<string, string>>;
}

export interface Task {
  obj_id: string;
  conv_id: number;
  ref?: string | null;
  node_id: string;
  status: 'processing' | 'waiting' | 'finished' | string;
  result?: 'success' | 'error' | string | null;
  data: Record<string, unknown>;
  /** What the task waits for: time, callback or reply. */
  wait?: string | null;
  /** When the timers next wake it: its delay's end or its time limit, whichever comes first. */
  wake_at?: string | null;
  /** When its time limit runs out (wait_callback's timeout_seconds). */
  time_limit_at?: string | null;
  created_at: string;
  changed_at: string;
}

export interface HistoryStep {
  node_id: string;
  at: string;
  outcome: 'go' | 'fail' | 'wait' | 'finish' | string;
  exit?: string | null;
  set?: Record<string, unknown> | null;
  unset?: string[] | null;
  error?: string | null;
}

export interface TaskDetails extends Task {
  history: HistoryStep[];
}

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
