"""botocore's models as the bot loads them: plain dicts, only the declared reads, kept on disk."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import boto3
import botocore
from botocore.loaders import JSONFileLoader, Loader
from botocore.model import ServiceModel, Shape

from bot.aws import reads as r
from bot.aws.clients import shared_models
from bot.aws.service_models import PlainJsonFiles, ReadModels, WalkedOnce

DATA = Path(botocore.__file__).parent / "data"
DECLARED = {
    service: frozenset(read.operation for read in r.READS if read.service == service)
    for service in {read.service for read in r.READS}
}


def botocore_file(service: str) -> str:
    """The path botocore's loader hands its file loader for a service's latest model."""
    version = max(p.name for p in (DATA / service).iterdir() if (p / "service-2.json.gz").exists())
    return str(DATA / service / version / "service-2")


def reached(shape: Shape, seen: set[str]) -> None:
    """Every shape `shape` refers to, resolved (botocore raises if one is missing)."""
    if shape.name in seen:
        return
    seen.add(shape.name)
    for member in (
        *getattr(shape, "members", {}).values(),
        *(getattr(shape, name) for name in ("member", "key", "value") if hasattr(shape, name)),
    ):
        reached(member, seen)


def test_data_files_are_parsed_to_the_same_values_as_botocores_own_loader() -> None:
    """botocore's models, gzipped and not, read as botocore reads them (in plain dicts)."""
    for file in ("ecs/2014-11-13/service-2", "endpoints", "sdk-default-configuration"):
        assert PlainJsonFiles().load_file(str(DATA / file)) == JSONFileLoader().load_file(
            str(DATA / file)
        )
    assert PlainJsonFiles().load_file(str(DATA / "no-such-model")) is None


def test_one_walk_lists_the_services_botocore_lists_for_each_kind(tmp_path: Path) -> None:
    """The same answers as botocore's own walks, an extra search path (AWS_DATA_PATH) and a
    stray file among the services included."""
    (tmp_path / "custom" / "2024-01-01").mkdir(parents=True)
    (tmp_path / "custom" / "2024-01-01" / "service-2.json").write_text("{}")
    (tmp_path / "README.txt").write_text("not a service")
    kinds = (
        "service-2",
        "endpoint-rule-set-1",
        "paginators-1",
        "waiters-2",
        "service-2.sdk-extras",
    )
    ours, botocores = WalkedOnce([str(tmp_path)]), Loader([str(tmp_path)])
    for kind in kinds:
        assert ours.list_available_services(kind) == botocores.list_available_services(kind), kind
    assert "custom" in ours.list_available_services("service-2")
    assert "custom" not in ours.list_available_services("paginators-1")


def test_a_read_services_model_holds_its_declared_operations_and_all_they_use() -> None:
    for service, declared in DECLARED.items():
        full = PlainJsonFiles().load_file(botocore_file(service))
        model = r.model_loader().load_service_model(service, "service-2")
        assert set(model["operations"]) == declared, service
        assert model["metadata"] == full["metadata"]
        loaded, seen = ServiceModel(model, service), set[str]()
        for name in declared:
            operation = loaded.operation_model(name)
            for shape in (operation.input_shape, operation.output_shape, *operation.error_shapes):
                if shape is not None:
                    reached(shape, seen)
        assert all(model["shapes"][name] == full["shapes"][name] for name in seen)
        # Nothing more: botocore's own additions (RDS's SourceRegion) only to the shapes kept.
        assert set(model["shapes"]) == seen, service


def test_a_client_has_no_method_for_an_operation_no_read_declares() -> None:
    session = boto3.Session(botocore_session=shared_models(), region_name="us-east-1")
    ecs, ec2 = session.client("ecs"), session.client("ec2")
    assert hasattr(ecs, "describe_services")
    assert hasattr(ecs, "list_clusters")
    assert ecs.can_paginate("list_clusters")
    assert not hasattr(ecs, "delete_service")
    assert not hasattr(ecs, "update_service")
    assert hasattr(ec2, "describe_subnets")
    assert not hasattr(ec2, "terminate_instances")
    rds = session.client("rds")  # whose model botocore adds to (sdk-extras)
    assert hasattr(rds, "describe_db_instances")
    assert not hasattr(rds, "delete_db_instance")
    # A service no read declares (the watch's STS, the queue's SQS) has its whole model.
    assert hasattr(session.client("sts"), "assume_role")


def test_the_pruned_model_is_kept_owner_only_and_read_back(tmp_path: Path) -> None:
    kept = tmp_path / "ecs-why" / "models"
    wanted = DECLARED["ec2"]
    first = ReadModels({"ec2": wanted}, kept).load_file(botocore_file("ec2"))

    (file,) = kept.iterdir()
    assert file.name.startswith("ec2-")
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.stat().st_mode) == stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert json.loads(file.read_text()) == first
    # The next start reads what was kept: here a model of one of the operations.
    one = {**first, "operations": {"DescribeSubnets": first["operations"]["DescribeSubnets"]}}
    file.write_text(json.dumps(one))
    assert ReadModels({"ec2": wanted}, kept).load_file(botocore_file("ec2")) == one


def test_a_kept_model_with_an_undeclared_operation_is_not_used(tmp_path: Path) -> None:
    kept = tmp_path / "models"
    wanted = DECLARED["ecr"]
    first = ReadModels({"ecr": wanted}, kept).load_file(botocore_file("ecr"))
    (file,) = kept.iterdir()
    full = PlainJsonFiles().load_file(botocore_file("ecr"))
    file.write_text(json.dumps({**first, "operations": full["operations"]}))

    again = ReadModels({"ecr": wanted}, kept).load_file(botocore_file("ecr"))

    assert set(again["operations"]) == wanted
    assert json.loads(file.read_text()) == first  # written again


def test_a_changed_botocore_file_is_pruned_again_and_only_the_oldest_dropped(
    tmp_path: Path,
) -> None:
    """Each botocore file (an upgrade, or another install sharing the cache) has its own
    pruned model; past three for a service, the oldest goes."""
    source = Path(botocore_file("ecr"))
    data = tmp_path / "data" / "ecr" / source.parent.name
    data.mkdir(parents=True)
    shutil.copy(source.with_suffix(".json.gz"), data)
    kept = tmp_path / "models"
    written: list[str] = []
    for version in range(1, 5):
        os.utime(data / "service-2.json.gz", ns=(version, version))  # as an upgrade would
        before = set(kept.iterdir()) if kept.exists() else set()
        ReadModels({"ecr": DECLARED["ecr"]}, kept).load_file(str(data / "service-2"))
        (new,) = set(kept.iterdir()) - before
        written.append(new.name)
        os.utime(new, ns=(version * 10**9, version * 10**9))  # written one after the other

    assert len(set(written)) == 4
    assert sorted(p.name for p in kept.iterdir()) == sorted(written[1:])


def test_a_cache_that_cannot_be_written_costs_only_the_parse(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")  # where the directory should be
    model = ReadModels({"ecr": DECLARED["ecr"]}, blocked / "models").load_file(botocore_file("ecr"))
    assert set(model["operations"]) == DECLARED["ecr"]
    no_disk = ReadModels({"ecr": DECLARED["ecr"]}, None).load_file(botocore_file("ecr"))
    assert no_disk == model
