// A small typed client of the gateway, as a frontend would write one against the generated
// types: REST calls, and one run's event stream narrowed on `type`. Compiled with
// `tsc --strict` by tests/unit/test_contract_ts.py: if the contract changes in a way this
// code does not handle, it stops compiling.
import type {
  Event,
  EventFrame,
  Heartbeat,
  Project,
  ProjectCreate,
  RunAccepted,
  RunCreate,
  RunState,
  TaskTree,
} from "./devteam";

export class DevTeamClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const problem = (await response.json()) as { title: string; detail: string };
      throw new Error(`${response.status} ${problem.title}: ${problem.detail}`);
    }
    return (await response.json()) as T;
  }

  createProject(body: ProjectCreate): Promise<Project> {
    return this.call<Project>("POST", "/v1/projects", body);
  }

  tasks(projectId: string): Promise<TaskTree> {
    return this.call<TaskTree>("GET", `/v1/projects/${projectId}/tasks`);
  }

  startRun(projectId: string, body: RunCreate = {}): Promise<RunAccepted> {
    return this.call<RunAccepted>("POST", `/v1/projects/${projectId}/runs`, body);
  }

  run(runId: string): Promise<RunState> {
    return this.call<RunState>("GET", `/v1/runs/${runId}`);
  }

  /** Follow one run's events from `after` (the last seq seen), with the token as the
   * `bearer.<token>` subprotocol (browsers cannot set headers on a WebSocket). */
  watchRun(runId: string, after: number, onEvent: (event: Event, seq: number) => void): WebSocket {
    const url = `${this.baseUrl.replace(/^http/, "ws")}/v1/runs/${runId}/events?after=${after}`;
    const socket = new WebSocket(url, [`bearer.${this.token}`]);
    socket.onmessage = (message: MessageEvent<string>) => {
      const frame = JSON.parse(message.data) as EventFrame | Heartbeat;
      if ("heartbeat" in frame) return;
      onEvent(frame.event, frame.seq);
    };
    return socket;
  }
}

/** One line per event, each reading its own payload: `switch` narrows `event.data` by type. */
export function describe(event: Event): string {
  switch (event.type) {
    case "run.queued":
      return `queued (${event.data.mode})`;
    case "run.admitted":
      return `admitted after ${event.data.queued_s} s`;
    case "task.selected":
      return `selected ${event.task_id}: ${event.data.title} at ${event.data.base_sha.slice(0, 12)}`;
    case "task.prepared":
      return `worktree on ${event.data.branch} in ${event.data.duration_ms} ms`;
    case "task.implementing":
      return `Aider (${event.data.model}) on ${event.data.files.join(", ") || "no file yet"}`;
    case "task.implemented": {
      const { usage, edit_requests } = event.data.attempt;
      return `${event.data.files.length} file(s) changed, ${edit_requests} request(s), ` +
        `${usage?.prompt_tokens ?? 0} prompt tokens`;
    }
    case "task.attempt_failed":
      return `attempt failed: ${event.data.attempt.code}: ${event.data.attempt.detail ?? ""}`;
    case "task.verifying": {
      const environment = event.data.environment;
      return `checks (${event.data.commands.join(" && ")}) in ${event.data.sandbox.backend}` +
        (environment ? `, environment ${environment.status}` : "");
    }
    case "task.verified":
      return `checks passed in ${event.data.duration_s} s`;
    case "task.repair":
      return `\`${event.data.command}\` failed (exit ${event.data.exit_code ?? "killed"})`;
    case "task.completed":
      return `done: ${event.data.commit.slice(0, 12)} on ${event.data.branch}`;
    case "log":
      return event.data.lines.join("\n");
    case "run.completed":
      return `run completed (${event.data.usage.prompt_tokens} prompt tokens)`;
    case "run.failed":
      return `run failed at ${event.data.stage} (${event.data.code ?? "error"}): ${event.data.reason}`;
    case "run.cancelled":
      return "run cancelled";
    case "run.blocked":
      return `blocked: ${event.data.blocked.map((b) => `${b.task_id}: ${b.reason}`).join("; ")}`;
    case "run.paused":
      return `paused before ${event.data.next_step}`;
    default: {
      const unhandled: never = event; // a new event type is a compile error until handled
      return unhandled;
    }
  }
}
