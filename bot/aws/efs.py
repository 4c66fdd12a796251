"""EFS: where a task's file systems can be mounted from (the zones of their mount targets).

Its part of the read graph: the zones of one file system's mount targets.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from bot.aws import reads as r
from bot.aws.graph import Reads

if TYPE_CHECKING:
    from mypy_boto3_efs import EFSClient

Raw = dict[str, Any]


def describe_mount_target_zones(efs: EFSClient, file_system_id: str) -> tuple[str, ...]:
    response: Raw = dict(efs.describe_mount_targets(FileSystemId=file_system_id))
    return mount_target_zones(response.get("MountTargets", []))


def mount_target_zones(mount_targets: list[Raw]) -> tuple[str, ...]:
    """The Availability Zones a file system has a usable mount target in."""
    return tuple(
        sorted(
            {
                target["AvailabilityZoneName"]
                for target in mount_targets
                if target.get("LifeCycleState", "available") == "available"
                and target.get("AvailabilityZoneName")
            }
        )
    )


# --------------------------------------------------------------------------- read graph


def mount_zones(
    read: Reads, file_system_id: str
) -> asyncio.Task[tuple[str, tuple[str, ...]] | None]:
    """(file system, the zones it mounts in), read once."""
    return read.once(("efs", file_system_id), lambda: _read_mount_zones(read, file_system_id))


async def _read_mount_zones(read: Reads, file_system_id: str) -> tuple[str, tuple[str, ...]] | None:
    zones = await read(
        r.DESCRIBE_MOUNT_TARGETS, describe_mount_target_zones, read.clients.efs(), file_system_id
    )
    return None if zones is None else (file_system_id, zones)
