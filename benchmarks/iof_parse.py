"""Time and trace the IOF parser against bare pyexpat and bare xmltodict, per feed size.

Run from the repository root::

    .venv/bin/python benchmarks/iof_parse.py                      # 10 000 and 100 000 products
    .venv/bin/python benchmarks/iof_parse.py --sizes 2000,20000   # a quick run

For every size it writes an IOF 3.0 ``full.xml`` of realistic shape (two languages, three
sizes with two stock levels each, images, eight parameters, ``iaiext:`` extensions and
whitespace between elements) into a temporary directory, then measures, in the same run and
on the same file:

* ``pyexpat``: a pyexpat pass with no handlers (the floor: tokenising only);
* ``xmltodict``: ``xmltodict.parse(file, item_depth=3, item_callback=...)``, the bare
  streaming pass that builds one dict per product and drops it (the baseline);
* ``iter_offer_products``: the typed stream (dicts -> attrs models).

Wall time is the best of ``--repeat`` runs; peak memory is traced with ``tracemalloc`` in a
separate run (tracing slows Python down, so it never overlaps a timed run). Targets (issue 4):
the typed stream within 1.3x the bare xmltodict time, and its peak memory flat from the
smallest to the largest feed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.parsers import expat

import xmltodict

from salesmanago_idosell.feeds import iter_offer_products

Run = Callable[[Path], int]
TIME_TARGET = 1.3
MIB = 2**20

HEADER = """<?xml version="1.0" encoding="utf-8"?>
<offer xmlns:iof="http://www.iai-shop.com/developers/iof.phtml"
 xmlns:iaiext="http://www.iai-shop.com/developers/iof/extensions.phtml"
 file_format="IOF" version="3.0" generated="2026-01-10 03:00:00" extensions="yes">
<products currency="PLN" language="pol" iof_translation_generated="yes">
"""
FOOTER = "</products>\n</offer>\n"

PARAMETER = """<parameter id="{k}" name="Parametr {k}" type="parameter" priority="{k}"
 distinction="n">
<value id="{k}{v}" name="wartość {v}" priority="0"/></parameter>
"""
PARAMETERS = "".join(PARAMETER.format(k=k, v=k % 3) for k in range(1, 9))

SIZE = """<size id="{s}" name="S{s}" panel_name="s{s}" code="{i}-{s}" code_producer="590{i:09d}{s}"
 iaiext:code_external="EXT-{i}-{s}" weight="1353" iaiext:weight_net="1100">
<price gross="{g}.{s}0" net="{n},{s}5"/><srp gross="199.99" net="162.59"/>
<stock id="0" quantity="{q}" available_stock_quantity="{q}" stock_quantity="{q}.000"/>
<stock id="1" quantity="-1"/></size>
"""

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
<name xml:lang="pol"><![CDATA[Przykładowy towar {i} <zażółć>]]></name>
<name xml:lang="eng"><![CDATA[Sample product {i}]]></name>
<short_desc xml:lang="pol"><![CDATA[Opis krótki {i}]]></short_desc>
<long_desc xml:lang="pol"><![CDATA[<p>Opis długi towaru {i}, z <b>HTML</b>.</p>]]></long_desc>
<iaiext:meta_title xml:lang="pol">Meta {i}</iaiext:meta_title>
</description>
<price gross="{g}.60" net="{n}.22"/><srp gross="0" net="0"/>
<sizes iaiext:group_id="1" iaiext:group_name="Ubrania">
{sizes}</sizes>
<images><large>
<image iaiext:priority="2" url="https://shop.example.pl/gfx/{i}_2.jpg" hash="h2" width="600"/>
<image iaiext:priority="1" url="https://shop.example.pl/gfx/{i}_1.jpg" hash="h1" width="600"/>
</large><icons><icon url="https://shop.example.pl/gfx/icons/{i}.jpg"/></icons></images>
<parameters>
{parameters}</parameters>
</product>
"""


def product_xml(i: int) -> str:
    """The ``<product>`` element of product number ``i``."""
    gross, net = 100 + i % 900, 80 + i % 700
    sizes = "".join(SIZE.format(i=i, s=s, g=gross, n=net, q=i % 50) for s in range(1, 4))
    return PRODUCT.format(
        i=i, p=i % 97, c=1000 + i % 40, g=gross, n=net, sizes=sizes, parameters=PARAMETERS
    )


def write_feed(path: Path, products: int) -> None:
    """Write a synthetic IOF ``full.xml`` with ``products`` products, one at a time."""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(1, products + 1):
            out.write(product_xml(i))
        out.write(FOOTER)


def run_expat(path: Path) -> int:
    """Tokenise only: a pyexpat pass without handlers (counts nothing)."""
    parser = expat.ParserCreate()
    with path.open("rb") as stream:
        parser.ParseFile(stream)
    return 0


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


PASSES: dict[str, Run] = {
    "pyexpat": run_expat,
    "xmltodict": run_xmltodict,
    "iter_offer_products": run_typed,
}


def best_time(run: Run, path: Path, repeat: int) -> tuple[float, int]:
    """Best wall time of ``repeat`` runs in seconds, and the count the run returned."""
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = run(path)
        times.append(time.perf_counter() - start)
    return min(times), count


def peak_memory(run: Run, path: Path) -> int:
    """Peak traced allocation of one run, in bytes."""
    tracemalloc.start()
    try:
        run(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(path: Path, products: int, repeat: int) -> dict[str, tuple[float, int]]:
    """Time and trace every pass on one feed; print its table; ``{pass: (seconds, peak)}``."""
    print(f"\n{products:,} products, {path.stat().st_size / 1e6:,.1f} MB (best of {repeat})")
    print(f"{'pass':<22}{'seconds':>9}{'products/s':>12}{'time x':>8}{'peak MiB':>10}")
    results: dict[str, tuple[float, int]] = {}
    counts: dict[str, int] = {}
    for name, run in PASSES.items():
        seconds, counts[name] = best_time(run, path, repeat)
        results[name] = (seconds, peak_memory(run, path))
    assert counts["iter_offer_products"] == counts["xmltodict"] == products, counts
    base = results["xmltodict"][0]
    for name, (seconds, peak) in results.items():
        print(
            f"{name:<22}{seconds:>9.2f}{products / seconds:>12,.0f}"
            f"{seconds / base:>8.2f}{peak / MIB:>10.2f}"
        )
    return results


def summary(results: dict[int, dict[str, tuple[float, int]]]) -> None:
    """The targets: typed/xmltodict time ratio per size, typed peak memory across sizes."""
    print("\nsummary (iter_offer_products)")
    for products, passes in results.items():
        ratio = passes["iter_offer_products"][0] / passes["xmltodict"][0]
        verdict = "ok" if ratio <= TIME_TARGET else "over target"
        print(f"  {products:>9,} products: {ratio:.2f}x xmltodict ({verdict}, <= {TIME_TARGET})")
    peaks = {n: p["iter_offer_products"][1] for n, p in results.items()}
    low, high = min(peaks), max(peaks)
    print(
        f"  peak memory {peaks[low] / MIB:.2f} MiB at {low:,} products, "
        f"{peaks[high] / MIB:.2f} MiB at {high:,} (x{peaks[high] / peaks[low]:.2f})"
    )


def parse_sizes(text: str) -> list[int]:
    """``"10000,100000"`` -> ``[10000, 100000]`` (each at least 1)."""
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers, e.g. 10000,100000")
    return sizes


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the feeds, measure every pass per size, print the tables and the summary."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per pass (best)")
    parser.add_argument("--tmpdir", type=Path, default=None, help="where to write the feeds")
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}, {expat.EXPAT_VERSION}")
    results: dict[int, dict[str, tuple[float, int]]] = {}
    with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
        for products in args.sizes:
            path = Path(tmp, f"full-{products}.xml")
            write_feed(path, products)
            results[products] = measure(path, products, max(args.repeat, 1))
            path.unlink()
    summary(results)


if __name__ == "__main__":
    main()
