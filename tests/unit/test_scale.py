"""`devteam up --scale`: replicas per service, refused clearly when wrong."""

import pytest

from devteam_cli.supervisor import StackConfig, parse_scale


def test_replicas_per_service_default_to_one() -> None:
    scale = parse_scale(["implement=3", "verify=2"])
    assert scale == {"gateway": 1, "selector": 1, "prep": 1, "implement": 3, "verify": 2}


def test_each_replica_is_a_named_process() -> None:
    cfg = StackConfig(
        data_dir=None,  # type: ignore[arg-type]
        gateway_port=1,
        nats_port=2,
        tenant="dev",
        token="t",
        scale=parse_scale(["prep=2"]),
    )
    names = [name for name, _service in cfg.processes()]
    assert names == ["gateway-1", "selector-1", "prep-1", "prep-2", "implement-1", "verify-1"]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("implement", "expected SERVICE=N"),
        ("nats=2", "expected SERVICE=N"),
        ("gateway=2", "the gateway runs once"),
        ("verify=two", "whole number"),
        ("verify=0", "between 1 and 16"),
        ("verify=99", "between 1 and 16"),
    ],
)
def test_bad_scales_are_refused(item: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_scale([item])
