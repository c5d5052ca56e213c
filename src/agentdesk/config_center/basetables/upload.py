"""An upload ready to be imported, and what an import found in it."""

from dataclasses import dataclass, field
from pathlib import Path

from agentdesk.config_center.basetables import csvfile
from agentdesk.config_center.basetables.rowcodec import Rejection

REJECTED_CAP = 1000


@dataclass
class Upload:
    """A checked upload, ready to be imported: a temporary file the job deletes (or bytes)."""

    file_name: str
    source: csvfile.Source
    size: int
    encoding: str
    mode: str = "append"

    def discard(self) -> None:
        if isinstance(self.source, Path):
            self.source.unlink(missing_ok=True)


def check_upload(file_name: str, source: csvfile.Source, header: list[str]) -> Upload:
    """Name, size, encoding, control characters, header and records the csv module can
    read, before any job exists (422)."""
    size = len(source) if isinstance(source, bytes) else source.stat().st_size
    csvfile.check_upload(file_name, size)
    encoding = csvfile.detect_encoding(source)
    csvfile.check_forbidden_bytes(source)
    csvfile.check_header(csvfile.read_header(source, encoding), header)
    csvfile.check_records(source, encoding)
    return Upload(file_name, source, size, encoding)


@dataclass
class Findings:
    """Rows seen and refused so far, and the first line of each index key."""

    total: int = 0
    rejected_lines: set[int] = field(default_factory=set)
    rejections: list[Rejection] = field(default_factory=list)
    first_line: dict[str, int] = field(default_factory=dict)
    failed: bool = False

    def add(self, rejections: list[Rejection]) -> None:
        self.failed = self.failed or bool(rejections)
        for rejection in rejections:
            self.rejected_lines.add(rejection.line)
            if len(self.rejections) < REJECTED_CAP:
                self.rejections.append(rejection)

    def check_duplicates(self, keys: list[str], lines: list[int], name: str) -> None:
        """Index keys seen before in the file (fast path: a chunk of all-new keys)."""
        fresh = dict(zip(keys, lines, strict=True))
        if len(fresh) == len(keys) and self.first_line.keys().isdisjoint(fresh):
            self.first_line.update(fresh)
            return
        problems = []
        for key, line in zip(keys, lines, strict=True):
            if not key:
                continue
            first = self.first_line.setdefault(key, line)
            if first != line:
                problems.append(
                    Rejection(line, name, "duplicate", f"duplicate index value (see line {first})")
                )
        self.add(problems)

    def summary(self) -> dict:
        ordered = sorted(self.rejections, key=lambda r: r.line)
        return {
            "rejected_count": len(self.rejected_lines),
            "rejected": [r.as_dict() for r in ordered],
        }
