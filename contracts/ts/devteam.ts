/* Generated from contracts/schema/contracts.json by contracts/ts/generate-types.mjs:
 * do not edit (make schema regenerates it). */

/**
 * How one IMPLEMENT attempt ended: exactly one per attempt, judged from git and from what
 * the model actually returned (never from Aider's exit code or words).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "AttemptCode".
 */
export type AttemptCode =
  | "changed"
  | "no_change"
  | "edited_tasks_file"
  | "edited_config"
  | "protected_path"
  | "model_auth_error"
  | "model_http_error"
  | "model_timeout"
  | "malformed_edit"
  | "aider_crashed"
  | "timeout"
  | "cancelled"
  | "budget_exceeded";
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "AuditRecord".
 */
export type AuditRecord =
  | ProjectCreateRecord
  | ProjectUpdateRecord
  | ProjectDeleteRecord
  | SecretPutRecord
  | SecretDeleteRecord
  | RunStartRecord
  | RunCancelRecord
  | RunStepRecord
  | TokenCreateRecord
  | TokenRevokeRecord
  | BudgetSetRecord
  | RepoPushRecord
  | CommandRejectedRecord
  | CommandGaveUpRecord;
/**
 * `continuous` walks the list until done; `single` does one task; `step` does one task
 * a stage at a time, pausing after PREP and IMPLEMENT until the client calls the next one
 * (`POST /v1/projects/{id}/prep`, `/implement`, `/verify`).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunMode".
 */
export type RunMode = "continuous" | "single" | "step";
/**
 * A pipeline stage; each has one durable pull consumer on the commands stream.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "Stage".
 */
export type Stage = "select" | "prep" | "implement" | "verify" | "complete";
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "Event".
 */
export type Event =
  | RunQueued
  | RunAdmitted
  | TaskSelected
  | TaskPrepared
  | TaskImplementing
  | TaskImplemented
  | TaskAttemptFailed
  | TaskVerifying
  | TaskVerified
  | TaskRepair
  | TaskCompleted
  | Log
  | RunCompleted
  | RunFailed
  | RunCancelled
  | RunBlocked
  | RunPaused;
/**
 * Why a run failed, as a code: an attempt's code (other than `changed`) when IMPLEMENT
 * could not produce a usable change, or what went wrong at another stage.
 */
export type FailureCode =
  | "no_change"
  | "edited_tasks_file"
  | "edited_config"
  | "protected_path"
  | "model_auth_error"
  | "model_http_error"
  | "model_timeout"
  | "malformed_edit"
  | "aider_crashed"
  | "timeout"
  | "checks_failed"
  | "checks_timeout"
  | "setup_failed"
  | "setup_timeout"
  | "invalid_task_list"
  | "invalid_config"
  | "git_error"
  | "conflict"
  | "malformed_command"
  | "gave_up"
  | "lost"
  | "task_not_selectable"
  | "nats_unavailable"
  | "budget_exceeded"
  | "forge_error"
  | "forge_auth_error"
  | "pull_request_closed"
  | "error";
/**
 * Why a run failed, as a code: an attempt's code (other than `changed`) when IMPLEMENT
 * could not produce a usable change, or what went wrong at another stage.
 */
export type FailureCode1 =
  | "no_change"
  | "edited_tasks_file"
  | "edited_config"
  | "protected_path"
  | "model_auth_error"
  | "model_http_error"
  | "model_timeout"
  | "malformed_edit"
  | "aider_crashed"
  | "timeout"
  | "checks_failed"
  | "checks_timeout"
  | "setup_failed"
  | "setup_timeout"
  | "invalid_task_list"
  | "invalid_config"
  | "git_error"
  | "conflict"
  | "malformed_command"
  | "gave_up"
  | "lost"
  | "task_not_selectable"
  | "nats_unavailable"
  | "budget_exceeded"
  | "forge_error"
  | "forge_auth_error"
  | "pull_request_closed"
  | "error";
/**
 * Why a run failed, as a code: an attempt's code (other than `changed`) when IMPLEMENT
 * could not produce a usable change, or what went wrong at another stage.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "FailureCode".
 */
export type FailureCode2 =
  | "no_change"
  | "edited_tasks_file"
  | "edited_config"
  | "protected_path"
  | "model_auth_error"
  | "model_http_error"
  | "model_timeout"
  | "malformed_edit"
  | "aider_crashed"
  | "timeout"
  | "checks_failed"
  | "checks_timeout"
  | "setup_failed"
  | "setup_timeout"
  | "invalid_task_list"
  | "invalid_config"
  | "git_error"
  | "conflict"
  | "malformed_command"
  | "gave_up"
  | "lost"
  | "task_not_selectable"
  | "nats_unavailable"
  | "budget_exceeded"
  | "forge_error"
  | "forge_auth_error"
  | "pull_request_closed"
  | "error";
/**
 * The cap a queued run waits on.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "WaitingOn".
 */
export type WaitingOn = "tenant_cap" | "global_cap";
/**
 * Lifecycle of a run; every state but queued/running/paused is terminal.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunStatus".
 */
export type RunStatus = "queued" | "running" | "paused" | "completed" | "failed" | "cancelled" | "blocked";
/**
 * `continuous` walks the list until done; `single` does one task; `step` does one task
 * a stage at a time, pausing after PREP and IMPLEMENT until the client calls the next one
 * (`POST /v1/projects/{id}/prep`, `/implement`, `/verify`).
 */
export type RunMode1 = "continuous" | "single" | "step";

/**
 * Every wire model of DevTeam Runner (generated by devteam_contracts).
 */
export interface DevTeamContracts {
  [k: string]: unknown | undefined;
}
/**
 * One IMPLEMENT attempt of a task: its reason code, what it changed and what it cost.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "AttemptRecord".
 */
export interface AttemptRecord {
  /**
   * 1 for the first implementation, +1 per repair.
   */
  attempt: number;
  /**
   * The files put in the chat, and why each.
   */
  chat?: ChatFile[];
  code: AttemptCode;
  /**
   * One line: what the code means here.
   */
  detail?: string;
  /**
   * Wall time of the attempt.
   */
  duration_s: number;
  /**
   * Edit requests the model answered.
   */
  edit_requests?: number;
  /**
   * Why the CLI ran instead of the host, when it did.
   */
  fallback?: string | null;
  /**
   * Files the attempt changed.
   */
  files?: string[];
  head_sha?: string | null;
  /**
   * With `model_http_error` / `model_auth_error`: the status.
   */
  http_status?: number | null;
  /**
   * Time spent waiting on the model.
   */
  model_s?: number;
  /**
   * `host` (forked from the pre-imported host) or `cli`.
   */
  runner: string;
  task_id: string;
  usage?: Usage;
}
/**
 * A file IMPLEMENT put in Aider's chat, and why.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ChatFile".
 */
export interface ChatFile {
  /**
   * `named`: the task names it; `ranked`: found by ranking the repository's files against the task (`score`); `check_output`: the failing check's output names it; `previous_attempt`: a repair's, changed by the attempts before it.
   */
  chosen_by: "named" | "ranked" | "check_output" | "previous_attempt";
  /**
   * `new`: editable, and created by Aider (it did not exist).
   */
  mode: "editable" | "read_only" | "new";
  path: string;
  /**
   * The ranking's score (`ranked`).
   */
  score?: number | null;
}
/**
 * Tokens and cost of some model calls (every call of an attempt: edits and commit
 * messages). `cost_usd` is None when no price is known: the project gives no prices
 * (`model.input_usd_per_mtok` / `output_usd_per_mtok`) and the endpoint reports no cost.
 *
 * This interface was referenced by `undefined`'s JSON-Schema definition
 * via the `patternProperty` "^[a-z0-9][a-z0-9-]{0,62}$".
 *
 * This interface was referenced by `undefined`'s JSON-Schema definition
 * via the `patternProperty` "^[a-z0-9][a-z0-9-]{0,62}$".
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "Usage".
 */
export interface Usage {
  completion_tokens?: number;
  cost_usd?: number | null;
  prompt_tokens?: number;
  /**
   * Model calls made, answered or not.
   */
  requests?: number;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ProjectCreateRecord".
 */
export interface ProjectCreateRecord {
  action: "project.create";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail: ProjectCreated;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ProjectCreated".
 */
export interface ProjectCreated {
  name: string;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ProjectUpdateRecord".
 */
export interface ProjectUpdateRecord {
  action: "project.update";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail: ProjectUpdated;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ProjectUpdated".
 */
export interface ProjectUpdated {
  /**
   * The registration fields the update changed.
   */
  fields: string[];
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ProjectDeleteRecord".
 */
export interface ProjectDeleteRecord {
  action: "project.delete";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail?: NoDetail;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * Nothing more to say than the record's own fields.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "NoDetail".
 */
export interface NoDetail {}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "SecretPutRecord".
 */
export interface SecretPutRecord {
  action: "secret.put";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail: SecretStored;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "SecretStored".
 */
export interface SecretStored {
  created_at: string;
  updated_at: string;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "SecretDeleteRecord".
 */
export interface SecretDeleteRecord {
  action: "secret.delete";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail?: NoDetail;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunStartRecord".
 */
export interface RunStartRecord {
  action: "run.start" | "run.resume";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail: RunQueuedDetail;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunQueuedDetail".
 */
export interface RunQueuedDetail {
  mode: RunMode;
  project_id: string;
  /**
   * The failed run a resume continues.
   */
  resumed_from: string | null;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunCancelRecord".
 */
export interface RunCancelRecord {
  action: "run.cancel";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail?: NoDetail;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunStepRecord".
 */
export interface RunStepRecord {
  action: "run.step.implement" | "run.step.verify";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail: StepTaken;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "StepTaken".
 */
export interface StepTaken {
  /**
   * The attempt the step call started.
   */
  attempt: number;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TokenCreateRecord".
 */
export interface TokenCreateRecord {
  action: "token.create";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail: TokenCreatedDetail;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TokenCreatedDetail".
 */
export interface TokenCreatedDetail {
  label: string;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TokenRevokeRecord".
 */
export interface TokenRevokeRecord {
  action: "token.revoke";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail?: NoDetail;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "BudgetSetRecord".
 */
export interface BudgetSetRecord {
  action: "budget.set";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail: BudgetSetDetail;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * The tenant's monthly budget as set (null: no limit).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "BudgetSetDetail".
 */
export interface BudgetSetDetail {
  monthly_cost_usd?: number | null;
  monthly_tokens?: number | null;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RepoPushRecord".
 */
export interface RepoPushRecord {
  action: "repo.push";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail: Pushed;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "Pushed".
 */
export interface Pushed {
  branch: string;
  commit: string;
  run_id: string;
  task_id: string;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "CommandRejectedRecord".
 */
export interface CommandRejectedRecord {
  action: "command.rejected";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail: CommandRejected;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "CommandRejected".
 */
export interface CommandRejected {
  /**
   * The command's size.
   */
  bytes: number;
  /**
   * Why the command is malformed.
   */
  reason: string;
  /**
   * Its run, when the command names a valid one.
   */
  run_id: string | null;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "CommandGaveUpRecord".
 */
export interface CommandGaveUpRecord {
  action: "command.gave_up";
  /**
   * `token:<id>` for API calls, `service:<stage>` for workers.
   */
  actor: string;
  at: string;
  detail: CommandGaveUp;
  outcome: string;
  /**
   * The API request behind it (`X-Request-Id`), if any.
   */
  request_id?: string | null;
  /**
   * What was acted on: a project, run, secret, token or subject.
   */
  target: string;
  tenant: string;
  version?: 1;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "CommandGaveUp".
 */
export interface CommandGaveUp {
  deliveries: number;
  /**
   * Its run, when the command names one.
   */
  run_id: string | null;
  /**
   * The command's sequence in the commands stream.
   */
  stream_seq: number;
}
/**
 * An open task that cannot be selected, and why.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "BlockedTask".
 */
export interface BlockedTask {
  line?: number | null;
  reason: string;
  task_id: string;
}
/**
 * Tick the task, commit, integrate into the target branch and push.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "CompleteCommand".
 */
export interface CompleteCommand {
  attempt?: number;
  /**
   * A full git commit SHA.
   */
  base_sha: string;
  config: RunConfig;
  /**
   * A full git commit SHA.
   */
  head_sha: string;
  project_id: string;
  run_id: string;
  task: TaskRef;
  tenant: string;
  version?: 1;
}
/**
 * Resolved at selection; fixed for the task.
 */
export interface RunConfig {
  /**
   * `pull_request` landing: the run's branch, where its tasks land (the pull request goes into `target_branch`). None: tasks land on `target_branch`.
   */
  land_branch?: string | null;
  limits?: Limits;
  protected?: string[];
  /**
   * `[sandbox] image`: the checks' toolchain image (Docker).
   */
  sandbox_image?: string | null;
  setup?: string[];
  submodules?: boolean;
  target_branch?: string;
  tasks_file?: string;
  /**
   * Setup and checks run with a Python virtualenv of the project's environment active (its `bin` first on PATH, `VIRTUAL_ENV` set).
   */
  venv?: boolean;
  verify?: string[];
}
/**
 * Limits of one task's work (resolved: every value set, the budget where one is).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "Limits".
 */
export interface Limits {
  /**
   * Aider wall clock.
   */
  implement_seconds?: number;
  /**
   * Verify failures fed back to Aider before the run fails.
   */
  repair_attempts?: number;
  /**
   * The model's reported cost of the whole run, in US dollars (binds only where the model or its price list reports a cost).
   */
  run_max_cost_usd?: number | null;
  /**
   * Prompt and completion tokens of the whole run.
   */
  run_max_tokens?: number | null;
  verify_cpu_seconds?: number | null;
  verify_file_size_mb?: number | null;
  verify_memory_mb?: number | null;
  verify_open_files?: number | null;
  verify_processes?: number | null;
  /**
   * Per check command.
   */
  verify_seconds?: number;
}
/**
 * The task being worked on, as read from the task list at selection time.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskRef".
 */
export interface TaskRef {
  /**
   * Indented text under the item.
   */
  body?: string;
  id: string;
  /**
   * The titles of the tasks this one is part of, outermost first.
   */
  parents?: string[];
  title: string;
  /**
   * Task-specific extra checks.
   */
  verify?: string[];
}
/**
 * What the run is doing right now.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "CurrentTask".
 */
export interface CurrentTask {
  /**
   * 1 for the first implementation, +1 per repair.
   */
  attempt: number;
  id: string;
  stage: Stage;
  title: string;
}
/**
 * The project's environment (what its setup commands built) that the checks run in.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "EnvironmentReport".
 */
export interface EnvironmentReport {
  /**
   * Files put back into the worktree.
   */
  files: number;
  /**
   * Hash of the setup commands, manifests and toolchain.
   */
  key: string;
  /**
   * The dependency files the key covers.
   */
  manifests: string[];
  /**
   * Time to build or reuse it.
   */
  seconds: number;
  setup: string[];
  size_bytes: number;
  status: "built" | "reused";
  venv: boolean;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunQueued".
 */
export interface RunQueued {
  at: string;
  attempt?: number | null;
  data: RunQueuedData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "run.queued";
  version?: 1;
}
/**
 * `run.queued`: the run is stored and waits for admission.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunQueuedData".
 */
export interface RunQueuedData {
  mode: RunMode;
  /**
   * The failed run this one resumes, if any.
   */
  resumed_from?: string | null;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunAdmitted".
 */
export interface RunAdmitted {
  at: string;
  attempt?: number | null;
  data: RunAdmittedData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "run.admitted";
  version?: 1;
}
/**
 * `run.admitted`: the run may start (its first SELECT follows).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunAdmittedData".
 */
export interface RunAdmittedData {
  /**
   * Seconds the run waited for admission.
   */
  queued_s: number;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskSelected".
 */
export interface TaskSelected {
  at: string;
  attempt?: number | null;
  data: TaskSelectedData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "task.selected";
  version?: 1;
}
/**
 * `task.selected`: SELECT picked the next task on the target branch.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskSelectedData".
 */
export interface TaskSelectedData {
  /**
   * The target branch's commit the task starts from.
   */
  base_sha: string;
  /**
   * The run's SELECT counter (1 for its first).
   */
  selection: number;
  title: string;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskPrepared".
 */
export interface TaskPrepared {
  at: string;
  attempt?: number | null;
  data: TaskPreparedData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "task.prepared";
  version?: 1;
}
/**
 * `task.prepared`: PREP made the task's clean worktree.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskPreparedData".
 */
export interface TaskPreparedData {
  base_sha: string;
  /**
   * The task's branch in the worker's workspace.
   */
  branch: string;
  /**
   * The project's workspace on the worker's disk.
   */
  disk_bytes: number;
  /**
   * Time PREP took.
   */
  duration_ms: number;
  /**
   * The worktree's path on the worker (for operators).
   */
  worktree: string;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskImplementing".
 */
export interface TaskImplementing {
  at: string;
  attempt?: number | null;
  data: TaskImplementingData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "task.implementing";
  version?: 1;
}
/**
 * `task.implementing`: Aider starts an attempt, with these files in its chat.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskImplementingData".
 */
export interface TaskImplementingData {
  /**
   * Every file in the chat and why it was chosen.
   */
  chat?: ChatFile[];
  /**
   * Files in the chat, editable.
   */
  files: string[];
  /**
   * The model's name as the project registered it.
   */
  model: string;
  /**
   * Files in the chat, read-only (protected).
   */
  read_only: string[];
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskImplemented".
 */
export interface TaskImplemented {
  at: string;
  attempt?: number | null;
  data: TaskImplementedData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "task.implemented";
  version?: 1;
}
/**
 * `task.implemented`: the attempt changed files and committed them.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskImplementedData".
 */
export interface TaskImplementedData {
  attempt: AttemptRecord;
  duration_s: number;
  /**
   * Files the attempt changed.
   */
  files: string[];
  /**
   * The attempt's commit, which VERIFY checks.
   */
  head_sha: string;
  run_usage: Usage1;
}
/**
 * Tokens and cost of some model calls (every call of an attempt: edits and commit
 * messages). `cost_usd` is None when no price is known: the project gives no prices
 * (`model.input_usd_per_mtok` / `output_usd_per_mtok`) and the endpoint reports no cost.
 */
export interface Usage1 {
  completion_tokens?: number;
  cost_usd?: number | null;
  prompt_tokens?: number;
  /**
   * Model calls made, answered or not.
   */
  requests?: number;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskAttemptFailed".
 */
export interface TaskAttemptFailed {
  at: string;
  attempt?: number | null;
  data: TaskAttemptFailedData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "task.attempt_failed";
  version?: 1;
}
/**
 * `task.attempt_failed`: the attempt made no usable change (its record says why).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskAttemptFailedData".
 */
export interface TaskAttemptFailedData {
  attempt: AttemptRecord;
  run_usage: Usage2;
}
/**
 * Tokens and cost of some model calls (every call of an attempt: edits and commit
 * messages). `cost_usd` is None when no price is known: the project gives no prices
 * (`model.input_usd_per_mtok` / `output_usd_per_mtok`) and the endpoint reports no cost.
 */
export interface Usage2 {
  completion_tokens?: number;
  cost_usd?: number | null;
  prompt_tokens?: number;
  /**
   * Model calls made, answered or not.
   */
  requests?: number;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskVerifying".
 */
export interface TaskVerifying {
  at: string;
  attempt?: number | null;
  data: TaskVerifyingData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "task.verifying";
  version?: 1;
}
/**
 * `task.verifying`: VERIFY runs the checks on the attempt's commit.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskVerifyingData".
 */
export interface TaskVerifyingData {
  /**
   * The checks, in order.
   */
  commands: string[];
  /**
   * None: the project has no setup.
   */
  environment?: EnvironmentReport | null;
  head_sha: string;
  sandbox: SandboxReport;
}
/**
 * How the checks are isolated on the worker that runs them: never more than holds.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "SandboxReport".
 */
export interface SandboxReport {
  backend: "bwrap" | "docker" | "none";
  filesystem: string;
  /**
   * The image (docker only).
   */
  image?: string | null;
  limits: SandboxLimits;
  /**
   * The checks' network: `none` when boxed.
   */
  network: string;
  processes_limited: boolean;
  /**
   * What setup commands reach.
   */
  setup_network: string;
  user: SandboxUser;
}
/**
 * The resource limits every check runs under.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "SandboxLimits".
 */
export interface SandboxLimits {
  cpu_seconds: number;
  file_size_mb: number;
  memory_mb: number;
  open_files: number;
  output_bytes: number;
  processes: number;
}
/**
 * Whom the checks run as.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "SandboxUser".
 */
export interface SandboxUser {
  runs_as: string;
  /**
   * True when they run as a user of the tenant's own.
   */
  switched: boolean;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskVerified".
 */
export interface TaskVerified {
  at: string;
  attempt?: number | null;
  data: TaskVerifiedData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "task.verified";
  version?: 1;
}
/**
 * `task.verified`: every check passed.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskVerifiedData".
 */
export interface TaskVerifiedData {
  duration_s: number;
  head_sha: string;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskRepair".
 */
export interface TaskRepair {
  at: string;
  attempt?: number | null;
  data: TaskRepairData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "task.repair";
  version?: 1;
}
/**
 * `task.repair`: a check failed and goes back to the model as the next attempt.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskRepairData".
 */
export interface TaskRepairData {
  /**
   * The check that failed.
   */
  command: string;
  /**
   * None when it was killed (time or a limit).
   */
  exit_code: number | null;
  /**
   * The resource limit it ran into, if any.
   */
  limit?: string | null;
  /**
   * The end of its output (secrets redacted).
   */
  output_tail: string;
  /**
   * Dependency files the change touched, when a setup it broke failed.
   */
  setup?: string[];
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskCompleted".
 */
export interface TaskCompleted {
  at: string;
  attempt?: number | null;
  data: TaskCompletedData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "task.completed";
  version?: 1;
}
/**
 * `task.completed`: the task's commit (with its tick) is on the branch it lands on: the
 * target branch, or the run's branch of its pull request.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskCompletedData".
 */
export interface TaskCompletedData {
  branch: string;
  commit: string;
  /**
   * `pull_request` landing: the run's pull request (null before it is opened).
   */
  pull_request?: PullRequestRef | null;
}
/**
 * The pull request (merge request) a run's work is in.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "PullRequestRef".
 */
export interface PullRequestRef {
  /**
   * Its number (GitLab: the merge request's `iid`).
   */
  number: number;
  /**
   * Its page on the forge (`html_url` / `web_url`).
   */
  url: string;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "Log".
 */
export interface Log {
  at: string;
  attempt?: number | null;
  data: LogData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "log";
  version?: 1;
}
/**
 * `log`: output lines of Aider or of a check, in order (secrets redacted).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "LogData".
 */
export interface LogData {
  lines: string[];
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunCompleted".
 */
export interface RunCompleted {
  at: string;
  attempt?: number | null;
  data: RunCompletedData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "run.completed";
  version?: 1;
}
/**
 * `run.completed`: every task the run was to do is done.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunCompletedData".
 */
export interface RunCompletedData {
  /**
   * `pull_request` landing: the run's pull request (null before it is opened).
   */
  pull_request?: PullRequestRef | null;
  usage: Usage3;
}
/**
 * Tokens and cost of some model calls (every call of an attempt: edits and commit
 * messages). `cost_usd` is None when no price is known: the project gives no prices
 * (`model.input_usd_per_mtok` / `output_usd_per_mtok`) and the endpoint reports no cost.
 */
export interface Usage3 {
  completion_tokens?: number;
  cost_usd?: number | null;
  prompt_tokens?: number;
  /**
   * Model calls made, answered or not.
   */
  requests?: number;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunFailed".
 */
export interface RunFailed {
  at: string;
  attempt?: number | null;
  data: RunFailedData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "run.failed";
  version?: 1;
}
/**
 * `run.failed`: the run stopped at an error (the run's `failure`, and its usage).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunFailedData".
 */
export interface RunFailedData {
  code?: FailureCode;
  output_tail?: string;
  /**
   * `pull_request` landing: the run's pull request (null before it is opened).
   */
  pull_request?: PullRequestRef | null;
  reason: string;
  stage: Stage;
  task_id?: string | null;
  usage: Usage;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunCancelled".
 */
export interface RunCancelled {
  at: string;
  attempt?: number | null;
  data: RunCancelledData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "run.cancelled";
  version?: 1;
}
/**
 * `run.cancelled`: someone cancelled the run.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunCancelledData".
 */
export interface RunCancelledData {
  /**
   * `pull_request` landing: the run's pull request (null before it is opened).
   */
  pull_request?: PullRequestRef | null;
  usage: Usage;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunBlocked".
 */
export interface RunBlocked {
  at: string;
  attempt?: number | null;
  data: RunBlockedData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "run.blocked";
  version?: 1;
}
/**
 * `run.blocked`: open tasks remain, none is selectable; what each waits for.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunBlockedData".
 */
export interface RunBlockedData {
  blocked: BlockedTask[];
  /**
   * `pull_request` landing: the run's pull request (null before it is opened).
   */
  pull_request?: PullRequestRef | null;
  usage: Usage;
}
/**
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunPaused".
 */
export interface RunPaused {
  at: string;
  attempt?: number | null;
  data: RunPausedData;
  /**
   * One human-readable line.
   */
  message?: string;
  project_id: string;
  /**
   * Published by a stage: how long the command it works on waited for a worker (in the commands stream).
   */
  queue_ms?: number | null;
  run_id: string;
  stage?: Stage | null;
  task_id?: string | null;
  tenant: string;
  type: "run.paused";
  version?: 1;
}
/**
 * `run.paused`: a step run waits for its next step call.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunPausedData".
 */
export interface RunPausedData {
  next_step: Stage;
  /**
   * Why it paused there (a failed check), if any.
   */
  reason: string | null;
}
/**
 * A WebSocket frame: the event with its JetStream stream sequence (for `after=` resume).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "EventFrame".
 */
export interface EventFrame {
  event:
    | RunQueued
    | RunAdmitted
    | TaskSelected
    | TaskPrepared
    | TaskImplementing
    | TaskImplemented
    | TaskAttemptFailed
    | TaskVerifying
    | TaskVerified
    | TaskRepair
    | TaskCompleted
    | Log
    | RunCompleted
    | RunFailed
    | RunCancelled
    | RunBlocked
    | RunPaused;
  seq: number;
}
/**
 * The verify command that failed an attempt, as a repair is told about it.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "FailedCheck".
 */
export interface FailedCheck {
  command: string;
  /**
   * `exited with 1`, `timed out after 900 s`, ...
   */
  outcome: string;
  output_tail?: string;
  /**
   * When the project's setup failed (not a check): the dependency manifests the previous change touched, which is why the failure is the change's to fix.
   */
  setup?: string[];
  timed_out?: boolean;
}
/**
 * Why a run failed (stop-on-error).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "Failure".
 */
export interface Failure {
  code?: FailureCode1;
  /**
   * The last output of the failing step.
   */
  output_tail?: string;
  reason: string;
  stage: Stage;
  task_id?: string | null;
}
/**
 * How workers authenticate to the repository. Only *names* travel (of the tenant's
 * secrets, or of allow-listed worker variables); the values never do.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "GitCredentials".
 */
export interface GitCredentials {
  /**
   * Worker variable holding an SSH key (allow-listed only).
   */
  ssh_key_env?: string | null;
  /**
   * The tenant's secret holding an SSH private key.
   */
  ssh_key_secret?: string | null;
  /**
   * Variable holding known_hosts lines that pin the host key.
   */
  ssh_known_hosts_env?: string | null;
  /**
   * Worker variable holding an https token (allow-listed only).
   */
  token_env?: string | null;
  /**
   * The tenant's secret holding an https token.
   */
  token_secret?: string | null;
  /**
   * https user, e.g. `x-access-token`.
   */
  username?: string | null;
}
/**
 * A WebSocket's keep-alive, sent when no event came for `heartbeat_s`.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "Heartbeat".
 */
export interface Heartbeat {
  at: string;
  heartbeat: true;
  /**
   * The last event sequence sent on this socket (0: none).
   */
  seq: number;
}
/**
 * Run Aider on the task in its worktree; `failed_check` is set for a repair.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ImplementCommand".
 */
export interface ImplementCommand {
  /**
   * The previous attempt's answer changed nothing (the model is told so).
   */
  after_unchanged?: boolean;
  attempt?: number;
  /**
   * A full git commit SHA.
   */
  base_sha: string;
  config: RunConfig1;
  /**
   * Why the previous attempt failed verify (repairs only).
   */
  failed_check?: FailedCheck | null;
  /**
   * Commit this attempt starts from (the failed attempt's head); base if unset.
   */
  from_sha?: string | null;
  project_id: string;
  run_id: string;
  task: TaskRef;
  tenant: string;
  version?: 1;
}
/**
 * Resolved at selection; fixed for the task.
 */
export interface RunConfig1 {
  /**
   * `pull_request` landing: the run's branch, where its tasks land (the pull request goes into `target_branch`). None: tasks land on `target_branch`.
   */
  land_branch?: string | null;
  limits?: Limits;
  protected?: string[];
  /**
   * `[sandbox] image`: the checks' toolchain image (Docker).
   */
  sandbox_image?: string | null;
  setup?: string[];
  submodules?: boolean;
  target_branch?: string;
  tasks_file?: string;
  /**
   * Setup and checks run with a Python virtualenv of the project's environment active (its `bin` first on PATH, `VIRTUAL_ENV` set).
   */
  venv?: boolean;
  verify?: string[];
}
/**
 * Where a run's work goes. The token never travels: only the name of the tenant's secret
 * (or of an allow-listed worker variable) holding it.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "LandConfig".
 */
export interface LandConfig {
  /**
   * The forge's REST root: `https://api.github.com`, `https://gitlab.example.com/api/v4`, `https://gitea.example.com/api/v1`.
   */
  api_base?: string | null;
  /**
   * With `pull_request`: the forge.
   */
  forge?: ("github" | "gitlab" | "gitea") | null;
  /**
   * `push`: each task lands on the target branch. `pull_request`: on the run's branch `devteam/<run_id>`, with one pull request into the target branch.
   */
  mode?: "push" | "pull_request";
  /**
   * The repository on the forge: `owner/name` (GitLab: `group/sub/name`).
   */
  repository?: string | null;
  /**
   * Worker variable holding the token (allow-listed only).
   */
  token_env?: string | null;
  /**
   * The tenant's secret holding the forge token.
   */
  token_secret?: string | null;
}
/**
 * Limits given at registration; unset values come from `.devteam.toml`, then defaults.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "LimitsOverride".
 */
export interface LimitsOverride {
  implement_seconds?: number | null;
  repair_attempts?: number | null;
  /**
   * The model's reported cost of the whole run, in US dollars (binds only where the model or its price list reports a cost).
   */
  run_max_cost_usd?: number | null;
  /**
   * Prompt and completion tokens of the whole run.
   */
  run_max_tokens?: number | null;
  verify_cpu_seconds?: number | null;
  verify_file_size_mb?: number | null;
  verify_memory_mb?: number | null;
  verify_open_files?: number | null;
  verify_processes?: number | null;
  verify_seconds?: number | null;
}
/**
 * Which model Aider talks to. The API key itself never travels: only the name of the
 * tenant's secret (or of an allow-listed worker variable) that holds it.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ModelConfig".
 */
export interface ModelConfig {
  /**
   * OpenAI-compatible endpoint, e.g. `https://api.openai.com/v1`.
   */
  api_base: string;
  /**
   * Instead of a secret: a variable of the implement workers' environment, only when the operator allow-lists it for the tenant (`DEVTEAM_ENV_SECRETS`).
   */
  api_key_env?: string | null;
  /**
   * Name of the tenant's secret holding the key (`/v1/secrets`).
   */
  api_key_secret?: string | null;
  /**
   * How the model writes edits; default: Aider's choice for models it knows, `whole` for any other.
   */
  edit_format?: ("whole" | "diff" | "diff-fenced" | "udiff") | null;
  /**
   * Price of a million prompt tokens, in USD.
   */
  input_usd_per_mtok?: number | null;
  /**
   * Most tokens one answer may have (sent as `max_tokens`): bounds the time and cost of a model that loops. Default: the provider's limit.
   */
  max_output_tokens?: number | null;
  /**
   * Model name as Aider takes it, e.g. `openai/gpt-4o`.
   */
  name: string;
  /**
   * Price of a million completion tokens, in USD.
   */
  output_usd_per_mtok?: number | null;
  /**
   * Time limit of one model request.
   */
  request_timeout_s?: number;
  /**
   * Model for commit messages (Aider's weak model); default: `name`.
   */
  weak_name?: string | null;
}
/**
 * A paused step run's next step: IMPLEMENT (the first attempt or a repair).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ParkedImplement".
 */
export interface ParkedImplement {
  command: ImplementCommand;
  stage: "implement";
}
/**
 * A paused step run's next step: VERIFY of the attempt just made.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ParkedVerify".
 */
export interface ParkedVerify {
  command: VerifyCommand;
  stage: "verify";
}
/**
 * Run the project's checks on `head_sha`.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "VerifyCommand".
 */
export interface VerifyCommand {
  attempt?: number;
  /**
   * A full git commit SHA.
   */
  base_sha: string;
  config: RunConfig2;
  /**
   * A full git commit SHA.
   */
  head_sha: string;
  project_id: string;
  run_id: string;
  task: TaskRef;
  tenant: string;
  /**
   * The attempt's answer changed nothing (`head_sha` is where it started): checks that fail go back to the model as for a change, checks that pass do not complete the task (nothing shows it done).
   */
  unchanged?: boolean;
  version?: 1;
}
/**
 * Resolved at selection; fixed for the task.
 */
export interface RunConfig2 {
  /**
   * `pull_request` landing: the run's branch, where its tasks land (the pull request goes into `target_branch`). None: tasks land on `target_branch`.
   */
  land_branch?: string | null;
  limits?: Limits;
  protected?: string[];
  /**
   * `[sandbox] image`: the checks' toolchain image (Docker).
   */
  sandbox_image?: string | null;
  setup?: string[];
  submodules?: boolean;
  target_branch?: string;
  tasks_file?: string;
  /**
   * Setup and checks run with a Python virtualenv of the project's environment active (its `bin` first on PATH, `VIRTUAL_ENV` set).
   */
  venv?: boolean;
  verify?: string[];
}
/**
 * Make a clean worktree on the task branch at `base_sha`.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "PrepCommand".
 */
export interface PrepCommand {
  attempt?: number;
  /**
   * A full git commit SHA.
   */
  base_sha: string;
  config: RunConfig3;
  project_id: string;
  run_id: string;
  task: TaskRef;
  tenant: string;
  version?: 1;
}
/**
 * Resolved at selection; fixed for the task.
 */
export interface RunConfig3 {
  /**
   * `pull_request` landing: the run's branch, where its tasks land (the pull request goes into `target_branch`). None: tasks land on `target_branch`.
   */
  land_branch?: string | null;
  limits?: Limits;
  protected?: string[];
  /**
   * `[sandbox] image`: the checks' toolchain image (Docker).
   */
  sandbox_image?: string | null;
  setup?: string[];
  submodules?: boolean;
  target_branch?: string;
  tasks_file?: string;
  /**
   * Setup and checks run with a Python virtualenv of the project's environment active (its `bin` first on PATH, `VIRTUAL_ENV` set).
   */
  venv?: boolean;
  verify?: string[];
}
/**
 * How busy a process is: what each of its parts reports (absent: not in this process).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ProcessLoad".
 */
export interface ProcessLoad {
  /**
   * IMPLEMENT: whether Aider's pre-imported host is up.
   */
  aider_host?: ("up" | "cli") | null;
  complete?: StageLoad | null;
  implement?: StageLoad | null;
  prep?: StageLoad | null;
  select?: StageLoad | null;
  verify?: StageLoad | null;
  /**
   * The gateway: open event WebSockets.
   */
  websocket_clients?: number | null;
}
/**
 * One stage worker's load.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "StageLoad".
 */
export interface StageLoad {
  /**
   * The most it holds at once.
   */
  concurrency: number;
  /**
   * Commands it holds now.
   */
  in_flight: number;
}
/**
 * A registered project, as stored and as returned by `GET /v1/projects/{id}`.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "Project".
 */
export interface Project {
  created_at: string;
  /**
   * Repository credentials, by secret (or variable) name.
   */
  credentials?: GitCredentials | null;
  id: string;
  land?: LandConfig1;
  limits?: LimitsOverride;
  model: ModelConfig;
  /**
   * Human-readable name.
   */
  name: string;
  /**
   * Paths (globs) the implementer may not change.
   */
  protected?: string[] | null;
  /**
   * The customer's repository: a local path or `file://` URL for now.
   */
  repo_url: string;
  /**
   * Commands run in the worktree before verify (network allowed).
   */
  setup?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | null;
  /**
   * Check out git submodules in the worktree (default: no).
   */
  submodules?: boolean | null;
  /**
   * Branch work is integrated into (default `main`).
   */
  target_branch?: string | null;
  /**
   * Task list path in the repo (default `tasks_list.md`).
   */
  tasks_file?: string | null;
  tenant: string;
  /**
   * Commands run in the worktree to verify a task; all must pass.
   */
  verify?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | null;
}
/**
 * How tasks land: pushed to the target branch (default), or on a branch of the run with one pull request.
 */
export interface LandConfig1 {
  /**
   * The forge's REST root: `https://api.github.com`, `https://gitlab.example.com/api/v4`, `https://gitea.example.com/api/v1`.
   */
  api_base?: string | null;
  /**
   * With `pull_request`: the forge.
   */
  forge?: ("github" | "gitlab" | "gitea") | null;
  /**
   * `push`: each task lands on the target branch. `pull_request`: on the run's branch `devteam/<run_id>`, with one pull request into the target branch.
   */
  mode?: "push" | "pull_request";
  /**
   * The repository on the forge: `owner/name` (GitLab: `group/sub/name`).
   */
  repository?: string | null;
  /**
   * Worker variable holding the token (allow-listed only).
   */
  token_env?: string | null;
  /**
   * The tenant's secret holding the forge token.
   */
  token_secret?: string | null;
}
/**
 * `POST /v1/projects` body. Fields left out come from the repository's `.devteam.toml`
 * (read from the target branch), then from the defaults.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ProjectCreate".
 */
export interface ProjectCreate {
  /**
   * Repository credentials, by secret (or variable) name.
   */
  credentials?: GitCredentials | null;
  land?: LandConfig2;
  limits?: LimitsOverride;
  model: ModelConfig;
  /**
   * Human-readable name.
   */
  name: string;
  /**
   * Paths (globs) the implementer may not change.
   */
  protected?: string[] | null;
  /**
   * The customer's repository: a local path or `file://` URL for now.
   */
  repo_url: string;
  /**
   * Commands run in the worktree before verify (network allowed).
   */
  setup?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | null;
  /**
   * Check out git submodules in the worktree (default: no).
   */
  submodules?: boolean | null;
  /**
   * Branch work is integrated into (default `main`).
   */
  target_branch?: string | null;
  /**
   * Task list path in the repo (default `tasks_list.md`).
   */
  tasks_file?: string | null;
  /**
   * Commands run in the worktree to verify a task; all must pass.
   */
  verify?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | null;
}
/**
 * How tasks land: pushed to the target branch (default), or on a branch of the run with one pull request.
 */
export interface LandConfig2 {
  /**
   * The forge's REST root: `https://api.github.com`, `https://gitlab.example.com/api/v4`, `https://gitea.example.com/api/v1`.
   */
  api_base?: string | null;
  /**
   * With `pull_request`: the forge.
   */
  forge?: ("github" | "gitlab" | "gitea") | null;
  /**
   * `push`: each task lands on the target branch. `pull_request`: on the run's branch `devteam/<run_id>`, with one pull request into the target branch.
   */
  mode?: "push" | "pull_request";
  /**
   * The repository on the forge: `owner/name` (GitLab: `group/sub/name`).
   */
  repository?: string | null;
  /**
   * Worker variable holding the token (allow-listed only).
   */
  token_env?: string | null;
  /**
   * The tenant's secret holding the forge token.
   */
  token_secret?: string | null;
}
/**
 * How a project's environment is set up and checked, and why: what was given, what was
 * detected from the repository's files (`GET /v1/projects/{id}/environment`, and with the
 * project's task list).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ProjectEnvironment".
 */
export interface ProjectEnvironment {
  /**
   * What detection recognised in the repository's files.
   */
  kind: "python" | "node" | "none";
  /**
   * The dependency manifests and lockfiles found: the environment is built once per state of these files (with the setup commands and the toolchain).
   */
  manifests: string[];
  /**
   * What detection decided, and from which file.
   */
  reasons: string[];
  /**
   * The setup commands in force.
   */
  setup: string[];
  /**
   * Where they come from: registration, the repository's `.devteam.toml`, detection, or none at all.
   */
  setup_from: "registration" | "repository" | "detected" | "none";
  /**
   * Setup and checks run with a Python virtualenv active.
   */
  venv: boolean;
  /**
   * The project's checks in force.
   */
  verify: string[];
  /**
   * Where the checks come from.
   */
  verify_from: "registration" | "repository" | "detected" | "none";
}
/**
 * `GET /v1/projects`: a page of the caller's projects, oldest first.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ProjectPage".
 */
export interface ProjectPage {
  items: Project[];
  /**
   * `offset` of the next page; null on the last.
   */
  next_offset: number | null;
  /**
   * Projects matching the filter, on every page.
   */
  total: number;
}
/**
 * `PATCH /v1/projects/{id}` body: the fields to change (JSON merge: a field left out is
 * kept, `null` resets an optional one to the repository's config / the default). The result
 * is validated like a new registration.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "ProjectPatch".
 */
export interface ProjectPatch {
  credentials?: GitCredentials | null;
  land?: LandConfig | null;
  limits?: LimitsOverride | null;
  model?: ModelConfig | null;
  name?: string | null;
  protected?: string[] | null;
  repo_url?: string | null;
  setup?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | null;
  submodules?: boolean | null;
  target_branch?: string | null;
  tasks_file?: string | null;
  verify?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | null;
}
/**
 * Where a queued run stands (`GET /v1/runs/{id}` while it waits).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "QueueInfo".
 */
export interface QueueInfo {
  active: number;
  max_active: number;
  /**
   * 1: the next run to be admitted of all waiting.
   */
  position: number;
  tenant_active: number;
  tenant_max_active: number;
  waiting_on: WaitingOn;
}
/**
 * `.devteam.toml`: every key optional; unknown keys are errors.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RepoConfig".
 */
export interface RepoConfig {
  limits?: RepoLimits;
  protected?: string[] | null;
  sandbox?: RepoSandbox;
  setup?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | null;
  target_branch?: string | null;
  tasks_file?: string | null;
  verify?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | null;
}
/**
 * `[limits]` of `.devteam.toml`.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RepoLimits".
 */
export interface RepoLimits {
  implement_seconds?: number | null;
  repair_attempts?: number | null;
  /**
   * The model's reported cost of the whole run, in US dollars (binds only where the model or its price list reports a cost).
   */
  run_max_cost_usd?: number | null;
  /**
   * Prompt and completion tokens of the whole run.
   */
  run_max_tokens?: number | null;
  verify_cpu_seconds?: number | null;
  verify_file_size_mb?: number | null;
  verify_memory_mb?: number | null;
  verify_open_files?: number | null;
  verify_processes?: number | null;
  verify_seconds?: number | null;
}
/**
 * `[sandbox]` of `.devteam.toml`: the toolchain image checks run in (Docker backend; the
 * operator allow-lists images).
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RepoSandbox".
 */
export interface RepoSandbox {
  image?: string | null;
}
/**
 * `202` answer to starting a run.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunAccepted".
 */
export interface RunAccepted {
  run_id: string;
  state: RunStatus;
}
/**
 * What one run may spend on its model, counted over all its attempts: unset means no
 * limit. The repository's `.devteam.toml` may only lower what registration set.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunBudget".
 */
export interface RunBudget {
  /**
   * The model's reported cost of the whole run, in US dollars (binds only where the model or its price list reports a cost).
   */
  run_max_cost_usd?: number | null;
  /**
   * Prompt and completion tokens of the whole run.
   */
  run_max_tokens?: number | null;
}
/**
 * What one task runs with: registration over `.devteam.toml` over defaults.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunConfig".
 */
export interface RunConfig4 {
  /**
   * `pull_request` landing: the run's branch, where its tasks land (the pull request goes into `target_branch`). None: tasks land on `target_branch`.
   */
  land_branch?: string | null;
  limits?: Limits;
  protected?: string[];
  /**
   * `[sandbox] image`: the checks' toolchain image (Docker).
   */
  sandbox_image?: string | null;
  setup?: string[];
  submodules?: boolean;
  target_branch?: string;
  tasks_file?: string;
  /**
   * Setup and checks run with a Python virtualenv of the project's environment active (its `bin` first on PATH, `VIRTUAL_ENV` set).
   */
  venv?: boolean;
  verify?: string[];
}
/**
 * `POST /v1/projects/{project_id}/runs` body.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunCreate".
 */
export interface RunCreate {
  /**
   * Stop after this many tasks (continuous).
   */
  max_tasks?: number | null;
  mode?: RunMode1;
}
/**
 * `GET /v1/runs`, `GET /v1/projects/{id}/runs`: a page of runs, newest first.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunPage".
 */
export interface RunPage {
  items: RunState[];
  /**
   * `offset` of the next page; null on the last.
   */
  next_offset: number | null;
  /**
   * Runs matching the filter, on every page.
   */
  total: number;
}
/**
 * A run as stored in the runs bucket and returned by `GET /v1/runs/{id}`.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "RunState".
 */
export interface RunState {
  /**
   * IMPLEMENT attempts in order: the last 200 (every one is also an event).
   */
  attempts?: AttemptRecord[];
  /**
   * Attempts made, all told.
   */
  attempts_total?: number;
  /**
   * When `blocked`: each open task and what it waits for.
   */
  blocked?: BlockedTask[];
  /**
   * `pull_request` landing: the branch the run's tasks land on (its own, or that of the project's pull request it continues), set at its first selection.
   */
  branch?: string | null;
  /**
   * What the run may spend on its model (registration, lowered by the repository's `.devteam.toml`), as of its last selection; null: no budget.
   */
  budget?: RunBudget | null;
  created_at: string;
  current?: CurrentTask | null;
  failure?: Failure | null;
  id: string;
  max_tasks?: number | null;
  mode: RunMode;
  /**
   * While `paused` (step mode): the call that goes on.
   */
  next_step?: Stage | null;
  /**
   * While `paused`: the command the next step will publish.
   */
  parked?: (ParkedImplement | ParkedVerify) | null;
  /**
   * While `paused`: what the last step did (a failed check).
   */
  paused_reason?: string | null;
  project_id: string;
  /**
   * `pull_request` landing: the pull request, once opened.
   */
  pull_request?: PullRequestRef | null;
  /**
   * While `queued` and not admitted yet: its position and the cap it waits on (computed when read; never stored).
   */
  queue?: QueueInfo | null;
  /**
   * The failed, blocked or cancelled run this one resumes.
   */
  resumed_from?: string | null;
  /**
   * How many SELECTs this run has made.
   */
  selections?: number;
  state: RunStatus;
  /**
   * Idempotency keys of step calls → the step they made.
   */
  step_keys?: {
    [k: string]: string | undefined;
  };
  /**
   * Step mode: the task asked for (else the next selectable).
   */
  task_id?: string | null;
  tasks_done?: TaskDone[];
  tenant: string;
  updated_at: string;
  usage?: Usage5;
}
/**
 * A task this run finished and integrated.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskDone".
 */
export interface TaskDone {
  /**
   * IMPLEMENT attempts it took.
   */
  attempts?: number;
  /**
   * The checks it passed.
   */
  checks?: string[];
  /**
   * SHA of the task's commit on the branch it landed on.
   */
  commit: string;
  id: string;
  title: string;
  usage?: Usage4;
}
/**
 * Tokens and cost of some model calls (every call of an attempt: edits and commit
 * messages). `cost_usd` is None when no price is known: the project gives no prices
 * (`model.input_usd_per_mtok` / `output_usd_per_mtok`) and the endpoint reports no cost.
 */
export interface Usage4 {
  completion_tokens?: number;
  cost_usd?: number | null;
  prompt_tokens?: number;
  /**
   * Model calls made, answered or not.
   */
  requests?: number;
}
/**
 * Tokens and cost of some model calls (every call of an attempt: edits and commit
 * messages). `cost_usd` is None when no price is known: the project gives no prices
 * (`model.input_usd_per_mtok` / `output_usd_per_mtok`) and the endpoint reports no cost.
 */
export interface Usage5 {
  completion_tokens?: number;
  cost_usd?: number | null;
  prompt_tokens?: number;
  /**
   * Model calls made, answered or not.
   */
  requests?: number;
}
/**
 * Pick the next task of the run from the target branch.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "SelectCommand".
 */
export interface SelectCommand {
  /**
   * Task completed just before.
   */
  after_task?: string | null;
  project_id: string;
  run_id: string;
  /**
   * 1 for the run's first SELECT, +1 for each next one.
   */
  selection: number;
  tenant: string;
  version?: 1;
}
/**
 * One process's answer to `devteam.status`.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "StatusReport".
 */
export interface StatusReport {
  host: string;
  load: ProcessLoad;
  pid: number;
  /**
   * The process's name (`DEVTEAM_PROCESS_NAME`, or service-pid).
   */
  process: string;
  /**
   * `selector`, `prep`, `implement`, `verify` or `gateway`.
   */
  service: string;
  uptime_s: number;
  /**
   * The version of the bus library it runs.
   */
  version: string;
}
/**
 * Why the list (or the repository's config) could not be read; `lines` are 1-based.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskListProblem".
 */
export interface TaskListProblem {
  kind: "tasklist" | "config" | "repository";
  lines?: number[];
  message: string;
}
/**
 * One task of the list, with its sub-tasks.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskNode".
 */
export interface TaskNode {
  children?: TaskNode[];
  depends?: string[];
  depth: number;
  id: string;
  /**
   * True when the list gives no id and it was derived.
   */
  id_derived: boolean;
  line: number;
  /**
   * For open leaves: could SELECT pick it now?
   */
  selectable?: boolean | null;
  state: "open" | "done" | "skipped";
  title: string;
  /**
   * Why an open leaf is not selectable.
   */
  waits?: string | null;
}
/**
 * The task list on the target branch (a project that lands as a pull request: on the
 * branch of its open pull request, while there is one), as a tree.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TaskTree".
 */
export interface TaskTree {
  /**
   * The branch the list was read from.
   */
  branch: string;
  commit: string;
  /**
   * How the project is set up and checked, and why.
   */
  environment?: ProjectEnvironment | null;
  /**
   * What SELECT would pick now.
   */
  next_task: string | null;
  notices?: string[];
  project_id: string;
  /**
   * The open pull request whose branch the list was read from.
   */
  pull_request?: PullRequestRef | null;
  status: "task" | "complete" | "blocked";
  tasks: TaskNode[];
  tasks_file: string;
}
/**
 * Selector → gateway: the tree, or the problem.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TasksReply".
 */
export interface TasksReply {
  problem?: TaskListProblem | null;
  tree?: TaskTree | null;
}
/**
 * Gateway → selector: read a project's task list.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TasksRequest".
 */
export interface TasksRequest {
  project_id: string;
  tenant: string;
}
/**
 * A tenant's monthly budget as stored.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TenantBudget".
 */
export interface TenantBudget {
  /**
   * Reported model cost per month, in US dollars.
   */
  monthly_cost_usd?: number | null;
  /**
   * Prompt and completion tokens per month.
   */
  monthly_tokens?: number | null;
  tenant: string;
  updated_at: string;
}
/**
 * `PUT /v1/admin/tenants/{tenant}/budget`: what the tenant may spend per calendar month
 * (UTC); null: no limit.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TenantBudgetSet".
 */
export interface TenantBudgetSet {
  /**
   * Reported model cost per month, in US dollars.
   */
  monthly_cost_usd?: number | null;
  /**
   * Prompt and completion tokens per month.
   */
  monthly_tokens?: number | null;
}
/**
 * `GET /v1/admin/tenants/{tenant}/budget`: the budget (null values: no limit) and what the
 * tenant has used this calendar month.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TenantBudgetView".
 */
export interface TenantBudgetView {
  /**
   * The calendar month (UTC) `usage` counts: `YYYY-MM`.
   */
  month: string;
  monthly_cost_usd?: number | null;
  monthly_tokens?: number | null;
  tenant: string;
  /**
   * When the budget was set.
   */
  updated_at?: string | null;
  usage: Usage;
}
/**
 * A tenant's usage as stored: ended runs summed in `ended`, active runs by id.
 *
 * An active run's entry is overwritten with the run's current total, never incremented, so
 * recording the same attempt twice cannot count it twice. When the run ends its total moves
 * into `ended`; `recent` keeps the totals of the last `RECENTLY_ENDED` ended runs, so an
 * attempt recorded after its run ended (a cancelled one) adds only its difference.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TenantUsage".
 */
export interface TenantUsage {
  active?: {
    [k: string]: Usage | undefined;
  };
  ended?: Usage;
  ended_runs?: number;
  /**
   * Usage by calendar month (UTC, `YYYY-MM`; the last 24), counted from when monthly counts began.
   */
  months?: {
    [k: string]: Usage | undefined;
  };
  recent?: {
    [k: string]: Usage | undefined;
  };
  tenant: string;
  updated_at: string;
}
/**
 * `GET /v1/usage`: the calling tenant's model usage over all its runs.
 *
 * This interface was referenced by `DevTeamContracts`'s JSON-Schema
 * via the `definition` "TenantUsageView".
 */
export interface TenantUsageView {
  /**
   * Runs that made model calls (ended and active).
   */
  runs: number;
  tenant: string;
  updated_at?: string | null;
  usage: Usage;
}
