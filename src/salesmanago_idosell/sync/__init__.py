"""The sync engine: state stores, reports and the resumable streams."""

from .engine import Progress
from .report import Problem, StreamReport, SyncReport
from .state import MemoryStateStore, SQLiteStateStore, StateStore

__all__ = [
    "MemoryStateStore",
    "Problem",
    "Progress",
    "SQLiteStateStore",
    "StateStore",
    "StreamReport",
    "SyncReport",
]
