"""The sync engine: state stores, reports and the resumable streams."""

from .cursor import Cursor
from .delivery import Delivery, DeliveryState, DeliveryUpdate, LeaseHolder
from .engine import Progress
from .report import Problem, StreamReport, SyncReport
from .state import MemoryStateStore, SQLiteStateStore, StateStore

__all__ = [
    "Cursor",
    "Delivery",
    "DeliveryState",
    "DeliveryUpdate",
    "LeaseHolder",
    "MemoryStateStore",
    "Problem",
    "Progress",
    "SQLiteStateStore",
    "StateStore",
    "StreamReport",
    "SyncReport",
]
