"""Time and trace the typed IOF stream against bare xmltodict, lxml and pyexpat passes.

Run from the repository root::

    .venv/bin/python benchmarks/iof_parse.py                      # 10 000 and 100 000 products
    .venv/bin/python benchmarks/iof_parse.py --sizes 2000,20000   # a quick run

For every size and both shapes it writes an IOF 3.0 ``full.xml`` into a temporary directory:

* ``full``: products shaped like the official ``full.xml`` sample - names and descriptions
  in three languages, three sizes with price, SRP, strikethrough price and two stock levels
  each, four images, ``iaiext:`` extensions, and 3 to 65 parameters (the parameters are
  what the typed stream skips and xmltodict builds);
* ``lean``: few parameters (one) but many sizes and prices - two languages, five sizes with
  price, SRP, strikethrough price and two stock levels each, two images.

Then, on the same file and in the same run, it measures CPU time (``time.process_time``,
best of ``--repeat``; the passes are interleaved so a busy machine slows them alike) of:

* ``expat``: a pyexpat pass with no handlers (the floor: tokenising only);
* ``lxml``: ``lxml.etree.iterparse(events=("end",), tag="product")`` with ``clear()`` and
  the finished siblings deleted (skipped when lxml is not installed: ``pip install lxml``);
* ``xmltodict``: ``xmltodict.parse(file, item_depth=3, item_callback=...)``, the bare
  streaming pass building one dict per product;
* ``typed``: ``iter_offer_products``, typed attrs models, as installed: compiled when the
  compiled build is (``feeds.COMPILED``; see docs/feeds.md, "The compiled build"), else the
  pure Python modules;
* ``typed-pure``: only when the compiled build is installed, the same stream on the pure
  Python modules beside it, in a child process (timed there, start-up excluded), so one run
  prints both.

On the compiled build: ``nox -s compiled -- benchmarks/iof_parse.py``, or
``source .ci/compiled.sh && compiled_build /tmp/compiled`` and then
``PYTHONPATH=/tmp/compiled .venv/bin/python benchmarks/iof_parse.py``.

The typed stream's peak memory is traced with ``tracemalloc`` in a separate run (tracing
slows Python down, so it never overlaps a timed run). Targets (issue 13): typed/xmltodict at
most 1.0, typed/lxml at most 2.5 on both shapes, and the typed stream's peak memory flat from
the smallest to the largest size.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.parsers import expat

import xmltodict

from salesmanago_idosell.feeds import COMPILED, iter_offer_products

Run = Callable[[Path], int]
Timed = Callable[[Path], tuple[float, int]]
"""One measured pass over a feed: its CPU seconds and the products it counted."""
MIB = 2**20
TARGETS = {"xmltodict": 1.0, "lxml": 2.5}

HEADER = """<?xml version="1.0" encoding="utf-8"?>
<offer xmlns:iof="http://www.iai-shop.com/developers/iof.phtml"
 xmlns:iaiext="http://www.iai-shop.com/developers/iof/extensions.phtml"
 file_format="IOF" version="3.0" generated="2026-01-10 03:00:00" extensions="yes">
<products currency="PLN" language="pol" iof_translation_generated="yes">
"""
FOOTER = "</products>\n</offer>\n"

PARAMETER = """<parameter id="{k}" name="Parametr {k}" type="parameter" priority="{k}"
 distinction="n"><iaiext:translation xml:lang="eng" name="Parameter {k}"/>
<value id="{k}{v}" name="wartość {v}" priority="0"/></parameter>
"""

SIZE = """<size id="{s}" name="S{s}" panel_name="s{s}" code="{i}-{s}" code_producer="590{i:09d}{s}"
 iaiext:code_external="EXT-{i}-{s}" weight="1353" iaiext:weight_net="1100">
<price gross="{g}.{s}0" net="{n},{s}5"/><srp gross="199.99" net="162.59"/>
<strikethrough_retail_price gross="{h}.99" net="{n}.00"/>
<strikethrough_wholesale_price gross="{h}.99" net="{n}.00"/>
<stock id="0" quantity="{q}" available_stock_quantity="{q}" stock_quantity="{q}.000"/>
<stock id="1" quantity="-1"/></size>
"""

TEXTS = """<name xml:lang="{lang}"><![CDATA[Towar {i} ({lang}) <zażółć>]]></name>
<short_desc xml:lang="{lang}"><![CDATA[Opis krótki {i}]]></short_desc>
<long_desc xml:lang="{lang}"><![CDATA[<p>Opis długi towaru {i}, z <b>HTML</b>.</p>]]></long_desc>
<iaiext:meta_title xml:lang="{lang}">Meta {i}</iaiext:meta_title>
"""

IMAGE = '<image iaiext:priority="{k}" url="https://shop.example.pl/gfx/{i}_{k}.jpg" hash="h{k}"/>\n'

PRODUCT = """<product id="{i}" currency="PLN" code_on_card="C-{i}" type="regular" vat="23.0"
 site="1">
<producer id="{p}" name="Producer {p} &amp; Sons"/>
<category id="{c}" name="Kategoria {c}/Podkategoria &quot;{i}&quot;"/>
<category_idosell id="55" path="Aparaty &gt; Akcesoria &gt; Kable"/>
<iaiext:category_translation xml:lang="eng" value="Category {c}"/>
<unit id="3" name="szt."/><series id="5" name="Kolekcja"/>
<warranty id="2" type="producer" period="24" name="Gwarancja"/>
<card url="https://shop.example.pl/product-pol-{i}.html"/>
<description>
{texts}</description>
<price gross="{g}.60" net="{n}.22"/><srp gross="0" net="0"/>
<strikethrough_retail_price gross="{h}.99" net="{n}.00"/>
<sizes iaiext:group_id="1" iaiext:group_name="Ubrania">
{sizes}</sizes>
<images><large>
{images}</large><icons><icon url="https://shop.example.pl/gfx/icons/{i}.jpg"/></icons></images>
<parameters>
{parameters}</parameters>
</product>
"""


class Shape:
    """How the products of one benchmark feed are built."""

    def __init__(
        self,
        name: str,
        *,
        languages: Sequence[str],
        sizes: int,
        images: int,
        params: Callable[[int], int],
    ) -> None:
        self.name = name
        self.languages = languages
        self.sizes = sizes
        self.images = images
        self.params = params

    def product_xml(self, i: int) -> str:
        """The ``<product>`` element of product number ``i``."""
        gross, net = 100 + i % 900, 80 + i % 700
        sizes = "".join(
            SIZE.format(i=i, s=s, g=gross, n=net, h=gross + 50, q=i % 50)
            for s in range(1, self.sizes + 1)
        )
        parameters = "".join(PARAMETER.format(k=k, v=k % 3) for k in range(1, self.params(i) + 1))
        return PRODUCT.format(
            i=i,
            p=i % 97,
            c=1000 + i % 40,
            g=gross,
            n=net,
            h=gross + 50,
            texts="".join(TEXTS.format(i=i, lang=lang) for lang in self.languages),
            sizes=sizes,
            images="".join(IMAGE.format(i=i, k=k) for k in range(1, self.images + 1)),
            parameters=parameters,
        )


SHAPES = (
    Shape("full", languages=("pol", "eng", "ger"), sizes=3, images=4, params=lambda i: 3 + i % 63),
    Shape("lean", languages=("pol", "eng"), sizes=5, images=2, params=lambda i: 1),
)


def write_feed(path: Path, products: int, shape: Shape) -> None:
    """Write a synthetic IOF ``full.xml`` with ``products`` products, one at a time."""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(1, products + 1):
            out.write(shape.product_xml(i))
        out.write(FOOTER)


def run_expat(path: Path) -> int:
    """Tokenise only: a pyexpat pass without handlers (counts nothing)."""
    parser = expat.ParserCreate()
    with path.open("rb") as stream:
        parser.ParseFile(stream)
    return 0


def run_lxml(path: Path) -> int:
    """Bare lxml ``iterparse`` of the products, each cleared and dropped when finished."""
    etree = importlib.import_module("lxml.etree")
    count = 0
    for _, element in etree.iterparse(str(path), events=("end",), tag="product"):
        count += 1
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return count


def run_xmltodict(path: Path) -> int:
    """Bare xmltodict streaming pass: one dict per product, dropped at once."""
    count = 0

    def callback(_path: Any, _item: Any) -> bool:
        nonlocal count
        count += 1
        return True

    with path.open("rb") as stream:
        xmltodict.parse(stream, item_depth=3, item_callback=callback)
    return count


def run_typed(path: Path) -> int:
    """The typed stream: ``iter_offer_products``."""
    return sum(1 for _ in iter_offer_products(path))


PURE_CHILD = """
import importlib.util, sys, time

class PureFeeds:  # the pure Python parser modules, even with compiled ones beside them
    NAMES = {"salesmanago_idosell.feeds._stream", "salesmanago_idosell.feeds._convert"}

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name not in cls.NAMES or not path:
            return None
        source = f"{path[0]}/{name.rpartition('.')[2]}.py"
        return importlib.util.spec_from_file_location(name, source)

sys.meta_path.insert(0, PureFeeds)
from salesmanago_idosell import feeds
assert not feeds.COMPILED, "the pure modules were not the ones imported"
started = time.process_time()
count = sum(1 for _ in feeds.iter_offer_products(sys.argv[1]))
print(time.process_time() - started, count)
"""


def run_typed_pure(path: Path) -> tuple[float, int]:
    """The typed stream on the pure Python modules, timed in a child process."""
    out = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", PURE_CHILD, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), int(out[1])


def passes() -> dict[str, Timed]:
    """The passes to measure (``lxml`` only when it is installed, ``typed-pure`` only on the
    compiled build)."""
    found: dict[str, Run] = {"expat": run_expat}
    if importlib.util.find_spec("lxml") is not None:
        found["lxml"] = run_lxml
    found["xmltodict"] = run_xmltodict
    found["typed"] = run_typed
    timed: dict[str, Timed] = {n: functools.partial(cpu_seconds, r) for n, r in found.items()}
    if COMPILED:
        timed["typed-pure"] = run_typed_pure
    return timed


def cpu_seconds(run: Run, path: Path) -> tuple[float, int]:
    """CPU seconds of one run and the count it returned."""
    start = time.process_time()
    count = run(path)
    return time.process_time() - start, count


def peak_memory(run: Run, path: Path) -> int:
    """Peak traced allocation of one run, in bytes."""
    tracemalloc.start()
    try:
        run(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


Results = dict[str, tuple[float, int]]


def measure(path: Path, products: int, repeat: int, label: str) -> Results:
    """Time (interleaved, best of ``repeat``) and trace every pass on one feed; print it."""
    runs = passes()
    best: dict[str, float] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            seconds, count = run(path)
            if name != "expat" and count != products:
                raise SystemExit(f"{name} counted {count} products, not {products}")
            best[name] = min(best.get(name, seconds), seconds)
    # tracing is slow: only the typed stream's peak is traced (the baselines' are not the point)
    results = {name: (best[name], 0) for name in runs}
    results["typed"] = (best["typed"], peak_memory(run_typed, path))
    size = path.stat().st_size / 1e6
    print(f"\n{label}: {products:,} products, {size:,.1f} MB (CPU s, best of {repeat})")
    print(f"{'pass':<12}{'seconds':>9}{'products/s':>12}{'typed/x':>9}{'peak MiB':>10}")
    typed = results["typed"][0]
    for name, (seconds, peak) in results.items():
        traced = f"{peak / MIB:>10.2f}" if name == "typed" else f"{'-':>10}"
        print(
            f"{name:<12}{seconds:>9.2f}{products / seconds:>12,.0f}{typed / seconds:>9.2f}{traced}"
        )
    return results


def summary(results: dict[tuple[str, int], Results]) -> None:
    """The ratios against every baseline, and the typed stream's peak memory per size."""
    build = "compiled (mypyc)" if COMPILED else "pure Python"
    print(f"\nsummary: typed stream ({build}) CPU time / baseline (target), peak memory")
    for (shape_name, products), found in results.items():
        for variant in ("typed", "typed-pure"):
            if variant not in found:
                continue
            typed = found[variant][0]
            ratios = [f"/expat {typed / found['expat'][0]:.2f}"]
            for base, target in TARGETS.items():
                if base in found:
                    ratio = typed / found[base][0]
                    mark = "ok" if ratio <= target else "OVER"
                    ratios.append(f"/{base} {ratio:.2f} (<= {target} {mark})")
                else:
                    ratios.append(f"/{base} n/a (not installed)")
            if variant == "typed":
                ratios.append(f"peak {found['typed'][1] / MIB:.2f} MiB")
            else:
                ratios[0] = f"pure Python: {ratios[0]}"
            print(f"  {shape_name:<5}{products:>9,}: {', '.join(ratios)}")
    for shape in SHAPES:
        peaks = {n: r["typed"][1] for (s, n), r in results.items() if s == shape.name}
        if len(peaks) > 1:
            low, high = min(peaks), max(peaks)
            growth = peaks[high] / peaks[low]
            print(f"  {shape.name}: peak memory x{growth:.2f} from {low:,} to {high:,} products")


def parse_sizes(text: str) -> list[int]:
    """``"10000,100000"`` -> ``[10000, 100000]`` (each at least 1)."""
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers, e.g. 10000,100000")
    return sizes


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the feeds, measure every pass per shape and size, print tables and summary."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per pass (best)")
    parser.add_argument("--tmpdir", type=Path, default=None, help="where to write the feeds")
    args = parser.parse_args(argv)
    build = "compiled (mypyc)" if COMPILED else "pure Python"
    print(f"Python {sys.version.split()[0]}, {expat.EXPAT_VERSION}, typed stream: {build}, "
          f"passes: {list(passes())}")  # fmt: skip
    results: dict[tuple[str, int], Results] = {}
    with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
        for shape in SHAPES:
            for products in args.sizes:
                path = Path(tmp, f"{shape.name}-{products}.xml")
                write_feed(path, products, shape)
                label = f"{shape.name} shape"
                results[shape.name, products] = measure(path, products, max(args.repeat, 1), label)
                path.unlink()
    summary(results)


if __name__ == "__main__":
    main()
