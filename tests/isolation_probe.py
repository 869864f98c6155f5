"""One tenant attacks the others and the stack from inside its own setup and checks, through
the whole product (`devteam up`), as a customer would: its repository carries a probe script
that its `setup` and its checks run. Shared by the bwrap run (`tests/e2e/test_isolation.py`)
and the Docker backend (`tests/docker/test_docker_isolation.py`).

The probe is bash (every toolchain image has it): it reads files with `cat`, opens TCP
connections and asks for routes (a UDP connect: a route lookup, nothing is sent) through bash's
/dev/tcp and /dev/udp, and prints one `PROBE <phase> <verdict> <what>` line per attempt into
its own log, which the tenant reads back over REST, as the original attack did.
"""

import functools
import glob
import os
import secrets
import shlex
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from devteam_cli.demo_project import create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack
from devteam_sandbox import network
from devteam_scripted_model.launcher import ScriptedModelServer

from support import eventually

ATTACKER, VICTIM = "dev", "globex"
RUN_TIMEOUT_S = 180


def probe_script(
    reads: list[str],
    lists: list[str],
    tcp: list[tuple[str, int]],
    routes: list[str],
    marker: tuple[str, str],
    grep_in: str,
) -> str:
    """The probe: every attempt it makes, one line each."""
    q = shlex.quote
    lines = [
        "#!/bin/bash",
        'phase="$1"',
        'say() { echo "PROBE $phase $1 $2"; }',
        'say "$(id -u)" uid',
    ]
    # (an environment counts as read when it shows a service's variables: in a container, pid
    # 1 is the command's own shell)
    lines += [
        f"if tr '\\0' '\\n' < {q(p)} 2>/dev/null | grep -q '^DEVTEAM_'; then "
        f"say LEAKED read:{q(p)}; else say blocked read:{q(p)}; fi"
        if p.endswith("/environ")
        else f"if cat {q(p)} >/dev/null 2>&1; then say LEAKED read:{q(p)}; "
        f"else say blocked read:{q(p)}; fi"
        for p in reads
    ]
    lines += [f'if ls -A {q(d)} 2>/dev/null | grep -q .; then say LEAKED list:{q(d)}; '
              f'else say blocked list:{q(d)}; fi' for d in lists]  # fmt: skip
    lines += [
        f"if timeout 3 bash -c 'exec 3<>/dev/tcp/{h}/{p}' 2>/dev/null; then "
        f"say LEAKED tcp:{h}:{p}; else say blocked tcp:{h}:{p}; fi"
        for h, p in tcp
    ]
    lines += [
        f"if bash -c 'exec 3<>/dev/udp/{a}/53' 2>/dev/null; then say route route:{a}; "
        f"else say blocked route:{a}; fi"
        for a in routes
    ]
    # The victim's marker, never written out whole here (or the probe would find itself).
    lines += [
        f'mark={q(marker[0])}; mark="$mark"{q(marker[1])}',
        f'found=$(grep -rls "$mark" {q(grep_in)} /tmp "$HOME" | head -1); '
        'if [ -n "$found" ]; then say LEAKED "grep:marker:$found"; '
        "else say blocked grep:marker; fi",
        "exit 0",
    ]
    return "\n".join(lines) + "\n"


async def _events(http: httpx.AsyncClient, run_id: str) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    after = 0
    while True:
        page = await http.get(f"/v1/runs/{run_id}/events", params={"after": after, "limit": 500})
        page.raise_for_status()
        got = page.json()["frames"]
        if not got:
            return frames
        frames += got
        after = got[-1]["seq"]


def _log_lines(frames: list[dict[str, Any]]) -> list[str]:
    return [line for f in frames if f["event"]["type"] == "log"
            for line in f["event"]["data"]["lines"]]  # fmt: skip


async def _ended(http: httpx.AsyncClient, run_id: str) -> dict[str, Any] | None:
    run: dict[str, Any] = (await http.get(f"/v1/runs/{run_id}")).json()
    return run if run["state"] in ("completed", "failed", "blocked", "cancelled") else None


def _project(repo: Path, model: ScriptedModelServer, setup: list[str], verify: list[str]) -> Any:
    return {
        "name": repo.stem, "repo_url": str(repo), "target_branch": "main",
        "tasks_file": "tasks_list.md", "setup": setup, "verify": verify,
        "model": {"name": "openai/scripted", "api_base": model.api_base},
    }  # fmt: skip


async def attack(
    stack: RunningStack, model: ScriptedModelServer, work: Path, own_check: str
) -> dict[str, Any]:
    """Tenant `globex` runs a project whose check waits (its tree, mirror and HOME exist);
    tenant `dev` runs a project whose setup and checks probe everything; returns the probe's
    verdicts (`setup` and `check` phases), after asserting that both runs completed."""
    model.set_scenario(demo_scenario())
    data = stack.data_dir
    admin = {"Authorization": f"Bearer {stack.admin_token}"}
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as anon:
        made = await anon.post(f"/v1/admin/tenants/{VICTIM}/tokens", json={}, headers=admin)
        assert made.status_code == 201, made.text
    victim_http = httpx.AsyncClient(
        base_url=stack.url, timeout=30, headers={"Authorization": f"Bearer {made.json()['token']}"}
    )
    http = httpx.AsyncClient(
        base_url=stack.url, timeout=30, headers={"Authorization": f"Bearer {stack.token}"}
    )
    marker = ("VICTIM_", secrets.token_hex(8))
    mark = "".join(marker)
    wait = (
        f"echo {mark} > $HOME/victim-home.txt; echo {mark} > mine.txt; echo victim-waiting; "
        "i=0; while [ ! -e release ] && [ $i -lt 1500 ]; do sleep 0.1; i=$((i+1)); done"
    )
    victim_repo = create_demo_repo(work / "victim")
    async with victim_http, http:
        created = await victim_http.post(
            "/v1/projects", json=_project(victim_repo, model, [], [wait, own_check])
        )
        assert created.status_code == 201, created.text
        started = await victim_http.post(
            f"/v1/projects/{created.json()['id']}/runs", json={"mode": "single"}
        )
        victim_run = started.json()["run_id"]

        async def waiting() -> bool:
            return "victim-waiting" in _log_lines(await _events(victim_http, victim_run))

        await eventually(waiting, timeout_s=RUN_TIMEOUT_S, what="the victim's check waiting")
        targets = _targets(stack, model)
        homes = glob.glob(str(data / "services" / "*" / "boxes" / "*" / "home"))
        reads = [*targets["reads"], *(f"{h}/victim-home.txt" for h in homes)]
        lists = [*targets["lists"], *homes]
        operator_file = Path.home() / f".devteam-probe-{secrets.token_hex(4)}"
        operator_file.write_text(f"{mark}\n")
        reads.append(str(operator_file))
        script = probe_script(reads, lists, targets["tcp"], targets["routes"], marker, str(data))
        attacker_repo = create_demo_repo(work / "attacker")
        _push(attacker_repo, "probe.sh", script)
        try:
            created = await http.post(
                "/v1/projects",
                json=_project(
                    attacker_repo,
                    model,
                    ["bash probe.sh setup"],
                    ["bash probe.sh check", own_check],
                ),
            )
            assert created.status_code == 201, created.text
            started = await http.post(
                f"/v1/projects/{created.json()['id']}/runs", json={"mode": "single"}
            )
            run_id = started.json()["run_id"]
            run = await eventually(
                lambda: _ended(http, run_id), timeout_s=RUN_TIMEOUT_S, what="the attacker's run"
            )
            frames = await _events(http, run_id)
        finally:
            operator_file.unlink()
            for tree in glob.glob(str(data / "services" / "verify-*" / "workspaces" / VICTIM /
                                      "*" / "tree")):  # fmt: skip
                Path(tree, "release").touch()
        victim = await eventually(
            lambda: _ended(victim_http, victim_run), timeout_s=RUN_TIMEOUT_S, what="the victim"
        )
    assert run["state"] == "completed", run.get("failure")
    assert victim["state"] == "completed", victim.get("failure")
    text = "\n".join(_log_lines(frames))
    assert mark not in text
    secret_key = (data / "secrets.key").read_text().strip()
    assert secret_key not in str(frames)
    verdicts: dict[str, Any] = {"setup": {}, "check": {}, "sandbox": None}
    for line in text.splitlines():
        if line.startswith("PROBE "):
            _probe, phase, verdict, what = line.split(" ", 3)
            verdicts[phase][what] = verdict
    verdicts["sandbox"] = next(
        f["event"]["data"]["sandbox"] for f in frames if f["event"]["type"] == "task.verifying"
    )
    return verdicts


def _targets(stack: RunningStack, model: ScriptedModelServer) -> dict[str, Any]:
    data = stack.data_dir
    found = lambda pattern: sorted(glob.glob(str(data / pattern), recursive=True))  # noqa: E731
    reads = [
        str(data / "secrets.key"),
        *found("**/nats-server.conf"),
        *found("nats-auth/*"),
        *found("nats*/**/meta.inf")[:3],
        *found("logs/*.log")[:3],
        *found(f"services/*/workspaces/{VICTIM}/*/tree/mine.txt"),
        *found(f"services/*/workspaces/{VICTIM}/*/tree/calc.py"),
        *found(f"services/*/mirrors/{VICTIM}/*.git/config"),
        "/proc/1/environ",
        *(f"/proc/{pid}/environ" for pid in stack.pids.values()),
        f"/proc/{os.getpid()}/environ",
    ]
    # (directories that must not exist in the box at all; the ways to its own tree do)
    lists = [
        *found(f"services/*/workspaces/{VICTIM}"),
        *found(f"services/*/mirrors/{VICTIM}"),
        *found("nats*"),
        str(data / "logs"),
    ]
    ports = {
        "gateway": urlparse(stack.url).port,
        "model": urlparse(model.api_base).port,
        **{f"nats{i}": urlparse(u).port for i, u in enumerate(stack.nats_url.split(","))},
    }
    hosts = ["127.0.0.1", network.GATEWAY, *network.host_addresses()]
    tcp = [(h, p) for h in hosts for p in ports.values() if p]
    routes = ["10.1.2.3", "172.17.0.1", "192.168.1.1", "169.254.169.254",
              *network.host_addresses(), "198.51.100.7"]  # fmt: skip
    return {"reads": reads, "lists": lists, "tcp": tcp, "routes": routes}


def assert_nothing_leaked(verdicts: dict[str, Any], uid_of_tenant: int | None) -> None:
    """Every attempt of both phases blocked; setup has a route to the internet (only)."""
    for phase in ("setup", "check"):
        seen = dict(verdicts[phase])
        assert seen, f"the {phase} probe did not run"
        uid = seen.pop("uid")
        assert uid != "0", f"{phase} ran as root"
        if uid_of_tenant is not None:
            assert uid == str(uid_of_tenant)
        internet = seen.pop("route:198.51.100.7")
        assert internet == ("route" if phase == "setup" else "blocked"), (phase, internet)
        leaked = {what: v for what, v in seen.items() if v != "blocked"}
        assert not leaked, (phase, leaked)
        kinds = {what.split(":", 1)[0] for what in seen}
        assert kinds == {"read", "list", "tcp", "route", "grep"}, kinds


def _push(bare: Path, name: str, text: str) -> None:
    clone = bare.parent / f"{bare.stem}-push"
    run = functools.partial(subprocess.run, check=True, capture_output=True)
    run(["git", "clone", "-q", str(bare), str(clone)])
    (clone / name).write_text(text)
    run(["git", "add", "-A"], cwd=clone)
    run(["git", "-c", "user.name=Tenant", "-c", "user.email=t@example.com", "commit", "-qm",
         f"add {name}"], cwd=clone)  # fmt: skip
    run(["git", "push", "-q", "origin", "main"], cwd=clone)
