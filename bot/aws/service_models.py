"""botocore's service models as the bot needs them: plain dicts and, for a service the bot
reads, only the operations it declares and the shapes they use, kept between runs.

EC2's model describes 862 operations in 4 MB of JSON; the bot calls five of them. Parsing it
whole costs ~50 ms and building a client of it ~20 ms more, at every start of the CLI. The
pruned model (~100 KB) is written once to a directory of the user's cache, under a name drawn
from the botocore file it came from (a botocore upgrade writes a new one), and read back in
under a millisecond (ECS's, of 14 operations, in ~2 ms). A client built from it has no method
for any other operation.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from botocore.loaders import JSONFileLoader, Loader, instance_cache

from bot.user_cache import write_private

EXTRAS = "service-2.sdk-extras"
KEPT_VERSIONS = 3  # of one service's model, from as many botocore files


class WalkedOnce(Loader):
    """botocore's loader, which learns what its data directories hold in one walk: its own
    walks all ~450 services' directories once per kind of file asked for (the models, the
    endpoint rules, the paginators: ~12 ms each)."""

    @instance_cache
    def list_available_services(self, type_name: str) -> list[str]:
        return sorted(name for name, kinds in self._kinds().items() if type_name in kinds)

    @instance_cache
    def _kinds(self) -> dict[str, set[str]]:
        """Each service directory, and the kinds of data file any of its API versions has."""
        found: dict[str, set[str]] = {}
        for root in filter(os.path.isdir, self.search_paths):
            for service in os.scandir(root):
                if service.is_dir():
                    kinds = found.setdefault(service.name, set())
                    for version in os.scandir(service.path):
                        if version.is_dir():  # "service-2.json.gz" is of kind "service-2"
                            kinds.update(n.split(".json")[0] for n in os.listdir(version.path))
        return found


class PlainJsonFiles(JSONFileLoader):
    """botocore's data files parsed into plain dicts, which keep their order too: its own
    loader asks for OrderedDicts, which doubles the parse (EC2's model: ~64 ms, ~32 ms plain)."""

    def load_file(self, file_path: str) -> Any:
        source = _source(file_path)
        if source is None:
            return None
        if source.suffix == ".gz":
            with gzip.open(source) as file:
                return json.loads(file.read())
        return json.loads(source.read_bytes())


class ReadModels(PlainJsonFiles):
    """A service model of a service in `operations` holds only those operations, kept in
    `directory` (None: pruned in memory at every start). Any other data file as botocore has
    it."""

    def __init__(self, operations: Mapping[str, frozenset[str]], directory: Path | None) -> None:
        self._operations, self._directory = operations, directory
        self._shapes: dict[str, frozenset[str]] = {}  # of each pruned model, by its directory

    def load_file(self, file_path: str) -> Any:
        directory, type_name = os.path.split(file_path)
        wanted = self._operations.get(Path(directory).parent.name)
        if wanted is not None and type_name == EXTRAS:
            return self._extras(file_path)
        source = _source(file_path) if type_name == "service-2" else None
        if wanted is None or source is None:
            return super().load_file(file_path)
        kept = self._kept(source, wanted)
        model = _read_kept(kept, wanted) if kept is not None else None
        if model is None:
            model = only(super().load_file(file_path), wanted)
            if kept is not None:
                _keep(kept, model)
        self._shapes[directory] = frozenset(model["shapes"])
        return model

    def _extras(self, file_path: str) -> Any:
        """botocore's additions to a model (RDS's SourceRegion), of the shapes kept only: an
        addition to a shape left out would be a shape without a type."""
        extras = super().load_file(file_path)
        kept = self._shapes.get(os.path.dirname(file_path))
        merged = extras.get("merge", {}) if isinstance(extras, dict) else {}
        if kept is not None and isinstance(merged.get("shapes"), dict):
            merged["shapes"] = {k: v for k, v in merged["shapes"].items() if k in kept}
        return extras

    def _kept(self, source: Path, wanted: frozenset[str]) -> Path | None:
        """Where the pruned model of `source` is kept: a name that changes with the file."""
        if self._directory is None:
            return None
        try:
            found = source.stat()
        except OSError:
            return None
        key = "\0".join([str(source), str(found.st_size), str(found.st_mtime_ns), *sorted(wanted)])
        service = source.parent.parent.name
        return self._directory / f"{service}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"


def only(model: dict[str, Any], operations: frozenset[str]) -> dict[str, Any]:
    """`model` with only `operations` and the shapes they reach (inputs, outputs, errors)."""
    kept = {name: o for name, o in model["operations"].items() if name in operations}
    shapes: dict[str, Any] = model["shapes"]
    reached: dict[str, Any] = {}
    pending = [ref["shape"] for o in kept.values() for ref in _operation_refs(o)]
    while pending:
        name = pending.pop()
        if name not in reached:
            reached[name] = shapes[name]
            pending.extend(ref["shape"] for ref in _shape_refs(shapes[name]))
    ordered = {name: shape for name, shape in shapes.items() if name in reached}
    return {**model, "operations": kept, "shapes": ordered}


def _operation_refs(operation: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for key in ("input", "output"):
        if key in operation:
            yield operation[key]
    yield from operation.get("errors", ())


def _shape_refs(shape: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from shape.get("members", {}).values()  # structures and unions
    for key in ("member", "key", "value"):  # lists and maps
        if key in shape:
            yield shape[key]


def _source(file_path: str) -> Path | None:
    for suffix in (".json", ".json.gz"):
        if os.path.isfile(file_path + suffix):
            return Path(file_path + suffix)
    return None


def _read_kept(path: Path, wanted: frozenset[str]) -> dict[str, Any] | None:
    """The kept model, or None when there is none, or what is there is not one of `wanted`."""
    try:
        model = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(model, dict) or not isinstance(model.get("shapes"), dict):
        return None
    operations = model.get("operations")
    if not isinstance(operations, dict) or not set(operations) <= wanted:
        return None
    return model


def _keep(path: Path, model: dict[str, Any]) -> None:
    """Write the pruned model, and drop the service's oldest past `KEPT_VERSIONS` (two
    installs of different botocore versions may share the directory: each keeps its own). A
    cache that cannot be written (a read-only file system) only costs the next start the parse."""
    try:
        write_private(path, json.dumps(model, separators=(",", ":")))
        service = path.name.rsplit("-", 1)[0]
        kept = [
            p for p in path.parent.glob(f"{service}-*.json") if p.name.rsplit("-", 1)[0] == service
        ]
        for old in sorted(kept, key=lambda p: p.stat().st_mtime_ns)[:-KEPT_VERSIONS]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
