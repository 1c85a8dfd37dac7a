/**
 * The mechanics of Prefect's orchestration rules (server/orchestration/rules.py), as plain
 * functions: rules are chosen by the intended transition, entered in order, the surviving
 * proposal is validated (written), then rules are exited in reverse — after-transition hooks
 * for rules still valid, cleanup for rules that fizzled.
 */
import type {
  Effect,
  FlowRunFacts,
  OrchestrationDetails,
  OrchestrationSettings,
  OrchestrationStatus,
  RunState,
  StateType,
  TaskRunFacts,
} from './contract.js';
import {STATE_TYPES} from './contract.js';
import type {WorkingState} from './states.js';

export type TypeOrNone = StateType | null;
export const ALL_STATES: ReadonlySet<TypeOrNone> = new Set<TypeOrNone>([...STATE_TYPES, null]);
export const TERMINAL: ReadonlySet<TypeOrNone> = new Set<TypeOrNone>(['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']);
export const only = (...types: TypeOrNone[]): ReadonlySet<TypeOrNone> => new Set(types);
export const allBut = (...types: TypeOrNone[]): ReadonlySet<TypeOrNone> =>
  new Set([...ALL_STATES].filter((type) => !types.includes(type)));

export interface ResolvedEnv {
  now: string;
  newId: () => string;
  settings: OrchestrationSettings;
  poissonInterval: (averageSeconds: number, clampingFactor: number) => number;
}

/** The working copy of the run: its facts, whose column fields rules and transforms change. */
export type WorkingRun<F> = {-readonly [K in keyof F]: F[K]} & {
  state_id: string | null;
  state_type: StateType | null;
  state_name: string | null;
  state_timestamp: string | null;
};

export interface Context<F extends FlowRunFacts | TaskRunFacts> {
  run: WorkingRun<F>;
  /** The run's current state (a copy). */
  initial: RunState | null;
  proposed: WorkingState | null;
  validated: RunState | null;
  /** The inserted state row, when one was written. */
  written: RunState | null;
  status: OrchestrationStatus;
  details: OrchestrationDetails;
  /** Set when a before-transition hook failed (Prefect's orchestration_error). */
  error: string | null;
  effects: Effect[];
  env: ResolvedEnv;
}

export type FlowContext = Context<FlowRunFacts>;
export type TaskContext = Context<TaskRunFacts>;

/** What a rule may do to the transition from its before-transition hook. */
export interface RuleControl {
  reject(state: WorkingState | null, reason: string): void;
  delay(delaySeconds: number, reason: string): void;
  abort(reason: string): void;
  rename(name: string): void;
}

export interface RuleHooks<C> {
  before?(ctx: C, control: RuleControl): void;
  after?(ctx: C): void;
  cleanup?(ctx: C): void;
}

/**
 * An orchestration rule (stateful per transition: `create` makes a fresh instance) or a
 * universal transform (fires on every transition whose proposal is not nullified).
 */
export interface Rule<C> {
  name: string;
  universal: boolean;
  from: ReadonlySet<TypeOrNone>;
  to: ReadonlySet<TypeOrNone>;
  create(): RuleHooks<C>;
}

export function rule<C>(name: string, from: ReadonlySet<TypeOrNone>, to: ReadonlySet<TypeOrNone>, create: () => RuleHooks<C>): Rule<C> {
  return {name, universal: false, from, to, create};
}

export function transform<C>(name: string, create: () => RuleHooks<C>): Rule<C> {
  return {name, universal: true, from: ALL_STATES, to: ALL_STATES, create};
}

interface Entered<C> {
  rule: Rule<C>;
  hooks: RuleHooks<C>;
  from: TypeOrNone;
  to: TypeOrNone;
  invalidOnEntry: boolean;
}

const proposedType = (ctx: Context<FlowRunFacts | TaskRunFacts>): TypeOrNone => ctx.proposed?.type ?? null;

/**
 * Run the rules of a policy then the global transforms around `validate`, as Prefect's
 * set_flow_run_state / set_task_run_state do with an AsyncExitStack.
 */
export function orchestrate<C extends Context<FlowRunFacts | TaskRunFacts>>(
  ctx: C,
  policyRules: readonly Rule<C>[],
  globalRules: readonly Rule<C>[],
  validate: (ctx: C) => void,
): void {
  const from = ctx.initial?.type ?? null;
  const to = proposedType(ctx);
  const chosen = [...policyRules, ...globalRules].filter((r) => r.from.has(from) && r.to.has(to));
  const stack: Entered<C>[] = [];
  for (const chosenRule of chosen) {
    const entered: Entered<C> = {rule: chosenRule, hooks: chosenRule.create(), from, to, invalidOnEntry: false};
    stack.push(entered);
    if (chosenRule.universal) {
      if (ctx.proposed !== null) entered.hooks.before?.(ctx, controlFor(ctx, entered));
      continue;
    }
    entered.invalidOnEntry = entered.from !== (ctx.initial?.type ?? null) || entered.to !== proposedType(ctx);
    if (entered.invalidOnEntry) continue;
    try {
      entered.hooks.before?.(ctx, controlFor(ctx, entered));
    } catch (error) {
      ctx.proposed = null;
      ctx.status = 'ABORT';
      ctx.details = {type: 'abort_details', reason: `Aborting orchestration due to error in ${chosenRule.name}: ${(error as Error).message}`};
      ctx.error = (error as Error).message;
    }
  }
  validate(ctx);
  for (const entered of stack.reverse()) {
    if (entered.rule.universal) {
      if (ctx.error === null && ctx.proposed !== null) entered.hooks.after?.(ctx);
      continue;
    }
    // a rule whose own verdict moved the proposal outside its TO_STATES is invalid now
    if (entered.invalidOnEntry || !entered.rule.to.has(entered.to)) continue;
    const fizzled = entered.from !== (ctx.initial?.type ?? null) || entered.to !== proposedType(ctx);
    if (fizzled) entered.hooks.cleanup?.(ctx);
    else entered.hooks.after?.(ctx);
  }
}

function controlFor<C extends Context<FlowRunFacts | TaskRunFacts>>(ctx: C, entered: Entered<C>): RuleControl {
  return {
    reject(state, reason) {
      if (state === null) {
        if (entered.from === null) {
          throw new Error('The current run has no state; this transition cannot be rejected without providing a new state.');
        }
        entered.to = null;
        ctx.proposed = null;
      } else {
        entered.to = state.type;
        ctx.proposed = state;
      }
      ctx.status = 'REJECT';
      ctx.details = {type: 'reject_details', reason};
    },
    delay(delaySeconds, reason) {
      entered.to = null;
      ctx.proposed = null;
      ctx.status = 'WAIT';
      ctx.details = {type: 'wait_details', reason, delay_seconds: delaySeconds};
    },
    abort(reason) {
      entered.to = null;
      ctx.proposed = null;
      ctx.status = 'ABORT';
      ctx.details = {type: 'abort_details', reason};
    },
    rename(name) {
      if (ctx.proposed !== null) ctx.proposed.name = name;
    },
  };
}
