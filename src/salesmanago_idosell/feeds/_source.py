"""Turn any supported feed source into a lazy iterator of byte chunks, gunzipping on the fly.

A source is a path (``str`` or :class:`os.PathLike`), ``bytes``-like data, a binary file
object (anything with ``read``), or an iterable of ``bytes`` chunks such as
``response.iter_content(65536)``. Gzip input is recognised by its magic bytes, whatever the
source, and decompressed in bounded steps so a compressed bomb cannot exhaust memory.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Union

from ..errors import FeedError

__all__ = ["CHUNK_SIZE", "FeedSource", "GzipError", "iter_chunks"]

CHUNK_SIZE = 16 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS

FeedSource = Union[
    str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes], Iterable[bytes]
]
"""Everything the feed parsers accept as input."""


class GzipError(FeedError):
    """Corrupt or truncated gzip data; the XML reader adds where in the feed it happened."""


def iter_chunks(source: FeedSource, *, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yield the (decompressed) bytes of ``source`` in chunks of at most ``chunk_size``."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    raw = _split(_raw_chunks(source, chunk_size), chunk_size)
    return _maybe_gunzip(raw, chunk_size)


def _raw_chunks(source: FeedSource, chunk_size: int) -> Iterator[bytes]:
    if isinstance(source, str):
        if source.lstrip().startswith("<"):
            raise TypeError("a str source is a path; pass XML text as bytes")
        return _file_chunks(source, chunk_size)
    if isinstance(source, os.PathLike):
        return _file_chunks(source, chunk_size)
    if isinstance(source, bytes | bytearray | memoryview):
        return iter((bytes(source),))
    read = getattr(source, "read", None)
    if callable(read):
        return _read_chunks(read, chunk_size)
    if isinstance(source, Iterable):
        return _checked(source)
    raise TypeError(f"unsupported feed source: {type(source).__name__}")


def _file_chunks(path: str | os.PathLike[str], chunk_size: int) -> Iterator[bytes]:
    with open(path, "rb") as stream:
        yield from _read_chunks(stream.read, chunk_size)


def _read_chunks(read: Callable[[int], object], chunk_size: int) -> Iterator[bytes]:
    while chunk := read(chunk_size):
        if not isinstance(chunk, bytes | bytearray):
            raise TypeError("the feed file object must be opened in binary mode")
        yield bytes(chunk)


def _checked(chunks: Iterable[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise TypeError(f"feed chunks must be bytes, not {type(chunk).__name__}")
        yield bytes(chunk)


def _split(chunks: Iterator[bytes], chunk_size: int) -> Iterator[bytes]:
    """Cut oversized chunks so the parser never holds more than one chunk of items."""
    for chunk in chunks:
        if len(chunk) <= chunk_size:
            if chunk:
                yield chunk
            continue
        view = memoryview(chunk)
        for start in range(0, len(chunk), chunk_size):
            yield bytes(view[start : start + chunk_size])


def _maybe_gunzip(chunks: Iterator[bytes], chunk_size: int) -> Iterator[bytes]:
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= len(_GZIP_MAGIC):
            break
    if head.startswith(_GZIP_MAGIC):
        yield from _gunzip(_prepend(head, chunks), chunk_size)
    else:
        yield from _prepend(head, chunks)


def _prepend(head: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from chunks


def _gunzip(chunks: Iterator[bytes], chunk_size: int) -> Iterator[bytes]:
    decompressor = zlib.decompressobj(_GZIP_WBITS)
    read = 0
    try:
        for chunk in chunks:
            read += len(chunk)
            pending = chunk
            while pending:
                if decompressor.eof:  # another gzip member follows
                    decompressor = zlib.decompressobj(_GZIP_WBITS)
                yield from _inflate(decompressor, pending, chunk_size)
                pending = decompressor.unused_data if decompressor.eof else b""
    except zlib.error as exc:
        raise GzipError(f"corrupt gzip data after {read} compressed bytes: {exc}") from None
    if not decompressor.eof:
        message = f"truncated gzip data: the compressed stream ends early, after {read} bytes"
        raise GzipError(message)


def _inflate(decompressor: zlib._Decompress, data: bytes, chunk_size: int) -> Iterator[bytes]:
    """Decompress ``data`` in output steps of at most ``chunk_size`` bytes."""
    out = decompressor.decompress(data, chunk_size)
    while True:
        if out:
            yield out
        tail = decompressor.unconsumed_tail
        if decompressor.eof or (not tail and len(out) < chunk_size):
            return
        out = decompressor.decompress(tail, chunk_size)
