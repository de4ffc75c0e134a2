"""Benchmark ``iter_offer_products`` against bare expat and bare xmltodict on one synthetic feed.

Run from the repository root::

    .venv/bin/python benchmarks/bench_feed.py            # 20 000 products (default)
    .venv/bin/python benchmarks/bench_feed.py --products 50000

It writes an IOF 3.0 ``full.xml`` of realistic shape (two languages, sizes with stock levels,
images, parameters and ``iaiext:`` extensions) into a temporary directory, then measures, in
the same run and on the same file:

* ``expat``: a pyexpat pass with no handlers (the floor: tokenising only);
* ``xmltodict``: ``xmltodict.parse(file, item_depth=3, item_callback=...)``, the bare
  streaming pass that builds one dict per product and drops it;
* ``iter_offer_products``: the typed stream (dicts -> attrs models).

Throughput (products/s, best of ``--repeat`` runs) and peak traced memory (tracemalloc, in a
separate pass so tracing does not distort the timings) are printed with their ratios to the
xmltodict baseline. Peak memory is traced on a feed a quarter of the size (tracing is slow) and,
for ``iter_offer_products``, also on one a sixteenth of the size, to show it stays flat.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.parsers import expat

import xmltodict

from salesmanago_idosell.feeds import iter_offer_products

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
<warranty id="2" type="producer" period="24" name="Gwarancja"/><card url="https://shop.example.pl/product-pol-{i}.html"/>
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


def write_feed(path: Path, products: int) -> None:
    """Write a synthetic IOF full.xml with ``products`` products."""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(1, products + 1):
            sizes = "".join(
                SIZE.format(i=i, s=s, g=100 + i % 900, n=80 + i % 700, q=i % 50)
                for s in range(1, 4)
            )
            out.write(
                PRODUCT.format(
                    i=i,
                    p=i % 97,
                    c=1000 + i % 40,
                    g=100 + i % 900,
                    n=80 + i % 700,
                    sizes=sizes,
                    parameters=PARAMETERS,
                )
            )
        out.write(FOOTER)


def run_expat(path: Path) -> int:
    """Tokenise only: a pyexpat pass without handlers."""
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


def best_time(run: Callable[[Path], int], path: Path, repeat: int) -> float:
    """Best wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(path)
        times.append(time.perf_counter() - start)
    return min(times)


def peak_memory(run: Callable[[Path], int], path: Path) -> int:
    """Peak traced allocation of one run, in bytes."""
    tracemalloc.start()
    try:
        run(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    """Generate the feeds, measure, print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sizes = {"big": args.products, "quarter": max(1, args.products // 4)}
        sizes["sixteenth"] = max(1, args.products // 16)
        paths = {name: Path(tmp, f"{name}.xml") for name in sizes}
        for name, count in sizes.items():
            write_feed(paths[name], count)
        assert run_typed(paths["sixteenth"]) == run_xmltodict(paths["sixteenth"])
        report(paths, sizes, args.repeat)


def report(paths: dict[str, Path], sizes: dict[str, int], repeat: int) -> None:
    """Time every pass on the big feed, trace memory on the smaller ones, print ratios."""
    runs = {"expat": run_expat, "xmltodict": run_xmltodict, "iter_offer_products": run_typed}
    big, quarter = paths["big"], paths["quarter"]
    print(
        f"feed: {sizes['big']} products, {big.stat().st_size / 1e6:.1f} MB; "
        f"time: best of {repeat}; peak memory (tracemalloc): {sizes['quarter']} products"
    )
    times = {name: best_time(run, big, repeat) for name, run in runs.items()}
    peaks = {name: peak_memory(run, quarter) for name, run in runs.items()}
    base_t, base_m = times["xmltodict"], peaks["xmltodict"]
    print(f"{'pass':<22}{'products/s':>12}{'time x':>9}{'peak MiB':>10}{'mem x':>8}")
    for name in runs:
        print(
            f"{name:<22}{sizes['big'] / times[name]:>12,.0f}{times[name] / base_t:>9.2f}"
            f"{peaks[name] / 2**20:>10.2f}{peaks[name] / base_m:>8.2f}"
        )
    small, large = peak_memory(run_typed, paths["sixteenth"]), peaks["iter_offer_products"]
    print(
        f"iter_offer_products peak memory: {small / 2**20:.2f} MiB on {sizes['sixteenth']} "
        f"products, {large / 2**20:.2f} MiB on {sizes['quarter']} (x{large / small:.2f})"
    )


if __name__ == "__main__":
    main()
