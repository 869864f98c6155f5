"""The dashboard in a real browser (`make test-browser`): Debian's Chromium driven by
playwright signs in with a token, sees the project, starts a run from the page and watches it
complete over the event streams (reconnecting without losing or repeating an event when its
sockets are broken mid-run); the token never appears in a URL. The screenshot is saved
as `docs/dashboard.png` (the README shows it) and in the test's directory."""

import os
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from devteam_cli.demo_project import VERIFY, create_demo_repo, demo_scenario
from devteam_cli.local_stack import local_stack
from devteam_scripted_model.launcher import scripted_model_server

CHROMIUM = os.environ.get("DEVTEAM_CHROMIUM", "/usr/bin/chromium")
DOCS = Path(__file__).resolve().parents[2] / "docs"

pytestmark = pytest.mark.timeout(240)


async def test_a_run_started_from_the_dashboard_completes_live(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make test-browser` (it installs it)")
    repo = create_demo_repo(tmp_path / "repo")
    with scripted_model_server() as model, local_stack(tmp_path / "stack") as stack:
        scenario = demo_scenario()
        for rule in scenario["rules"]:
            rule["delay_s"] = 0.5  # time to break its sockets while a run goes
        model.set_scenario(scenario)
        auth = {"Authorization": f"Bearer {stack.token}"}
        async with httpx.AsyncClient(base_url=stack.url, headers=auth, timeout=30) as api:
            await api.put("/v1/secrets/model-key", json={"value": "browser-key"})
            body = {"name": "calc (demo)", "repo_url": str(repo), "verify": VERIFY,
                    "model": {"name": "openai/scripted", "api_base": model.api_base,
                              "api_key_secret": "model-key"}}  # fmt: skip
            project = (await api.post("/v1/projects", json=body)).json()
            stepper = create_demo_repo(tmp_path / "stepper")
            body2 = {**body, "name": "calc (steps)", "repo_url": str(stepper)}
            stepped = (await api.post("/v1/projects", json=body2)).json()

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = await browser.new_page(viewport={"width": 1280, "height": 860})
            urls: list[str] = []
            page.on("request", lambda r: urls.append(r.url))
            page.on("websocket", lambda ws: urls.append(ws.url))
            sockets: list[Any] = []  # every event socket, passed through to the gateway

            def through(ws: Any) -> None:
                sockets.append((ws, ws.connect_to_server()))

            await page.route_web_socket(re.compile(r"/v1/(runs/[^/]+/)?events"), through)
            await page.goto(stack.url + "/")
            await page.fill("#token", stack.token)
            await page.click("#login-form button[type=submit]")
            row = page.locator(f"tr[data-project='{project['id']}']")
            await expect(row).to_contain_text("calc (demo)")
            await expect(row).to_contain_text("0 of 3 tasks")
            await expect(page.locator("#live")).to_have_text("live")
            await row.locator("button[data-action=start]").click()
            # Updated by the streams only: the page does not poll. Its sockets are broken
            # twice mid-run (as a network or a restarting gateway would): it reconnects with
            # after= and shows every event once.
            events = page.locator("#events li")
            for seen in ("task.selected", "task.completed"):
                await expect(page.locator("#events")).to_contain_text(seen, timeout=60_000)
                for to_page, to_gateway in sockets:
                    await to_gateway.close(code=4000, reason="broken by the test")
                    await to_page.close(code=4000, reason="broken by the test")
                await expect(page.locator("#live")).to_have_text("reconnecting")
                await expect(page.locator("#live")).to_have_text("live", timeout=10_000)
            await expect(row.locator(".pill")).to_have_text("completed", timeout=120_000)
            await expect(row).to_contain_text("3 of 3 tasks")
            await expect(page.locator("#run-state")).to_have_text("completed")
            await expect(page.locator("#events")).to_contain_text("task.completed")
            await expect(page.locator("#events")).to_contain_text("run.completed")
            await expect(page.locator("#logs")).not_to_be_empty()
            run_id = await page.locator("#run-id").text_content()
            async with httpx.AsyncClient(base_url=stack.url, headers=auth) as api:
                stored = (await api.get(f"/v1/runs/{run_id}/events?limit=1000")).json()
            milestones = [f["seq"] for f in stored["frames"] if f["event"]["type"] != "log"]
            shown = [int(v) for v in await events.evaluate_all("(li) => li.map((e) => e.value)")]
            assert shown == milestones  # nothing lost, nothing twice, in order
            assert len(sockets) >= 6  # tenant and run sockets, opened three times each
            shot = tmp_path / "dashboard.png"
            await page.screenshot(path=str(shot), full_page=True)
            # The token is kept by the browser and sent in headers only, never in a URL.
            assert await page.evaluate("localStorage.getItem('devteam.token')") == stack.token
            assert urls and not any(stack.token in u for u in urls)
            assert any("/v1/events" in u for u in urls)
            await page.reload()  # signed in still, from localStorage
            await expect(row.locator(".pill")).to_have_text("completed")
            # Step mode from the page: prep, then implement and verify by hand.
            steps = page.locator(f"tr[data-project='{stepped['id']}']")
            await steps.locator("button[data-action=prep]").click()
            await expect(page.locator("#step-implement")).to_be_visible(timeout=60_000)
            await expect(page.locator("#run-state")).to_have_text("paused")
            await page.click("#step-implement")
            await expect(page.locator("#step-verify")).to_be_visible(timeout=60_000)
            await page.click("#step-verify")
            await expect(page.locator("#run-state")).to_have_text("completed", timeout=60_000)
            await expect(steps).to_contain_text("1 of 3 tasks")
            await browser.close()
    DOCS.mkdir(exist_ok=True)
    shutil.copy(shot, DOCS / "dashboard.png")
