"""Where the typed IOF stream's time goes, layer by layer, against bare lxml ``iterparse``.

Run from the repository root (lxml is in the ``dev`` extra)::

    .venv/bin/python -m benchmarks.iof_layers                     # 10 000 products, both shapes
    .venv/bin/python -m benchmarks.iof_layers --products 2000 --repeat 1

It writes the two feeds of ``benchmarks/iof_parse.py`` (``full`` and ``lean``) and measures,
on the same file and in the same run (CPU time, best of ``--repeat``, passes interleaved):

* the baseline: bare lxml ``iterparse(events=("end",), tag="product")`` with ``clear()``;
* the pure path's layers: pyexpat with no handlers, pyexpat with empty start/end handlers
  (the cost of reaching Python twice per element), the purpose-built handler building the
  light nodes (``iter_items``; ``size`` elements are built into ``Size`` models as they close,
  so this layer includes them), the rest of the node -> model conversion alone, and the whole
  typed stream;
* an *optimistic* lxml path, layer by layer: an ``XMLPullParser`` fed the file in 64 KiB
  chunks (safe options, ``clear()`` per product), then walking each product's kept children
  (tags only), then copying their attributes into dicts, then the same node -> model
  conversion. It has none of the hostile-input guards, no namespace-name translation and no
  error positioning, so a real lxml path could only be slower than its last line.

Every figure is printed as a ratio to the baseline. The point (issue 13, lean products): the
node -> model conversion is shared by every parser, and what lxml saves in tokenising it
spends again in handing each kept element and its attributes to Python.
"""

from __future__ import annotations

import argparse
import importlib
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.parsers import expat

from salesmanago_idosell.feeds import _convert, iof, iter_offer_products
from salesmanago_idosell.feeds._stream import Leaves, Node, Schema, iter_items

from .iof_parse import SHAPES, run_lxml, write_feed

CHUNK = 64 * 1024
_IOF = "http://www.iai-shop.com/developers/iof.phtml"
_PRODUCT_TAGS = ("product", f"{{{_IOF}}}product")
_FEED = {"language": "pol", "currency": "PLN"}

LxmlSchema = dict[str, tuple[str, Any]]


def lxml_schema(schema: Schema) -> LxmlSchema:
    """The SDK's item schema keyed by lxml tags (``{uri}local``) instead of expat names."""
    found: LxmlSchema = {}
    for key, (local, child) in schema.items():
        if key == "*":
            continue
        found[_tag(key)] = (
            local,
            child if isinstance(child, Leaves) or not child else lxml_schema(child),
        )
    return found


def _tag(name: str) -> str:
    """An expat name (``uri local``) as an lxml tag (``{uri}local``)."""
    uri, _, local = name.rpartition(" ")
    return f"{{{uri}}}{local}" if uri else local


def _leaves(element: Any, leaves: Leaves, attributes: bool) -> object:
    """An element of leaves built as the pure path builds it (``size``)."""
    names = {_tag(name): index for name, index in leaves.names.items()}
    slots: list[Any] = [None] * leaves.size
    for child in element:
        index = names.get(child.tag)
        if index is None:
            continue
        attrs = dict(child.items()) if attributes else {}
        if index >= leaves.singles:
            slots[index] = [*(slots[index] or ()), attrs]
        elif slots[index] is None:
            slots[index] = attrs
    try:
        return leaves.build(dict(element.items()) if attributes else {}, slots)
    except ValueError as exc:
        return exc


_OFFER = lxml_schema(iof._OFFER_SCHEMA)


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            yield chunk


def _node(element: Any, schema: LxmlSchema, attributes: bool) -> Node:
    """The kept children of ``element`` as the pure path's light nodes."""
    node = Node(dict(element.items()) if attributes else {})
    kids: dict[str, list[Any]] | None = None
    lookup = schema.get
    for child in element:
        spec = lookup(child.tag)
        if spec is None:
            continue
        local, below = spec
        entry: Any
        if below is None:
            entry = Node(dict(child.items()) if attributes else {})
            entry.text = "".join(child.itertext())
        elif isinstance(below, Leaves):
            entry = _leaves(child, below, attributes)
        elif below:
            entry = _node(child, below, attributes)
        else:
            entry = dict(child.items()) if attributes else {}
        if kids is None:
            kids = {local: [entry]}
        elif local in kids:
            kids[local].append(entry)
        else:
            kids[local] = [entry]
    node.kids = kids
    return node


def lxml_layer(stage: int) -> Callable[[Path], int]:
    """The optimistic lxml path up to ``stage``: 0 parse, 1 walk, 2 attributes, 3 models."""
    etree = importlib.import_module("lxml.etree")

    def run(path: Path) -> int:
        parser = etree.XMLPullParser(
            events=("end",),
            tag=_PRODUCT_TAGS,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        )
        count = 0
        for chunk in _chunks(path):
            parser.feed(chunk)
            for _, element in parser.read_events():
                if stage >= 1:
                    node = _node(element, _OFFER, stage >= 2)
                    if stage >= 3:
                        _convert.offer_product(node, _FEED)
                count += 1
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
        parser.close()
        return count

    return run


def expat_layer(handlers: bool) -> Callable[[Path], int]:
    """pyexpat over 64 KiB chunks, with no handlers or with empty start/end handlers."""

    def start(_name: str, _attrs: dict[str, str]) -> None:
        return None

    def end(_name: str) -> None:
        return None

    def run(path: Path) -> int:
        parser = expat.ParserCreate(None, " ")
        if handlers:
            parser.StartElementHandler = start
            parser.EndElementHandler = end
        for chunk in _chunks(path):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
        return 0

    return run


def _items(path: Path) -> Iterator[tuple[Mapping[str, str], Node, int]]:
    return iter_items(
        path, route=iof._ROUTE, item=iof._OFFER_SCHEMA, check_root=iof._root_check("offer")
    )


def run_nodes(path: Path) -> int:
    """The pure path's handler building the light nodes and the sizes' models."""
    return sum(1 for _ in _items(path))


def convert_layer(path: Path) -> Callable[[Path], int]:
    """Node -> model conversion alone, over nodes read once beforehand."""
    items = list(_items(path))

    def run(_path: Path) -> int:
        for feed, node, _ in items:
            _convert.offer_product(node, feed)
        return len(items)

    return run


def run_typed(path: Path) -> int:
    """The typed stream: ``iter_offer_products`` (pure path)."""
    return sum(1 for _ in iter_offer_products(path))


def layers(path: Path) -> dict[str, Callable[[Path], int]]:
    """The passes, in print order; the first one is the baseline."""
    return {
        "lxml iterparse + clear (baseline)": run_lxml,
        "pure: expat, no handlers": expat_layer(handlers=False),
        "pure: expat, empty start/end handlers": expat_layer(handlers=True),
        "pure: light nodes + sizes (iter_items)": run_nodes,
        "shared: node -> models (no sizes)": convert_layer(path),
        "pure: typed stream": run_typed,
        "lxml: pull parser + clear": lxml_layer(0),
        "lxml: + walk kept children": lxml_layer(1),
        "lxml: + attribute dicts": lxml_layer(2),
        "lxml: + node -> models (typed)": lxml_layer(3),
    }


def measure(path: Path, repeat: int) -> dict[str, float]:
    """Best CPU seconds of every pass over ``path`` (interleaved runs)."""
    runs = layers(path)
    best: dict[str, float] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.process_time()
            run(path)
            seconds = time.process_time() - start
            best[name] = min(best.get(name, seconds), seconds)
    return best


def main(argv: Sequence[str] | None = None) -> None:
    """Write each shape's feed, measure the layers, print seconds and ratios to lxml."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per pass (best)")
    parser.add_argument("--tmpdir", type=Path, default=None, help="where to write the feeds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
        for shape in SHAPES:
            path = Path(tmp, f"{shape.name}.xml")
            write_feed(path, args.products, shape)
            best = measure(path, max(args.repeat, 1))
            baseline = next(iter(best.values()))
            size = path.stat().st_size / 1e6
            print(f"\n{shape.name} shape: {args.products:,} products, {size:,.1f} MB")
            print(f"{'pass':<40}{'CPU s':>8}{'/ lxml':>8}")
            for name, seconds in best.items():
                print(f"{name:<40}{seconds:>8.3f}{seconds / baseline:>8.2f}")
            path.unlink()


if __name__ == "__main__":
    main()
