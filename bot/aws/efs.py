"""EFS: where a task's file systems can be mounted from (the zones of their mount targets)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
