"""The IOF offer feed -> a SALESmanago v3 product catalog.

The catalog (found by name and location, created when missing with the configured currency
and location, so that PURCHASE and CART events link to it) receives every product of the feed
in upserts of 100. Product upserts are idempotent, so a run that stops half way is simply run
again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from attrs import define

from .._chunks import chunked
from ..categories import CategoryTree
from ..errors import AuthenticationError, SalesmanagoIdosellError
from ..feeds import OfferProduct, to_catalog_product
from ..mapping import Skip
from ..salesmanago import CatalogProduct
from .engine import Run

__all__ = ["OfferSync"]

STREAM = "offer"


@define
class OfferSync:
    """One run of the offer sync.

    Attributes:
        catalog_name, currency, location: the catalog to fill (created when missing).
        language: the IOF language id of names and descriptions.
        batch_size: products per upsert (at most 100).
        tree: resolves category paths by id, when the categories file was given.
    """

    catalog_name: str
    currency: str
    location: str
    language: str
    batch_size: int
    tree: CategoryTree | None = None

    def catalog_id(self, run: Run) -> str | None:
        """The catalog's id: found by name and location, else created (None in a dry run)."""
        for catalog in run.salesmanago.catalogs.list():
            if catalog.name == self.catalog_name and catalog.location == self.location:
                return catalog.catalog_id
        if run.dry_run:
            return None
        created = run.salesmanago.catalogs.upsert(
            name=self.catalog_name, currency=self.currency, location=self.location
        )
        return created.catalog_id

    def run(self, run: Run, products: Iterable[OfferProduct]) -> bool:
        """Send every product; True when complete, False when a batch failed."""
        try:
            catalog = self.catalog_id(run)
        except AuthenticationError:  # refused credentials stop the whole run
            raise
        except SalesmanagoIdosellError as exc:
            run.report.errors.append(f"offer: catalog: {exc}")
            return False
        for batch in chunked(self._mapped(run, products), self.batch_size):
            if not self._send(run, catalog, batch):
                return False
        return True

    def _mapped(self, run: Run, products: Iterable[OfferProduct]) -> Iterator[CatalogProduct]:
        stream = run.report.stream(STREAM)
        for product in products:
            stream.read += 1
            result = to_catalog_product(
                product, language=self.language, category_tree=self.tree, currency=self.currency
            )
            if isinstance(result, Skip):
                run.report.skip(STREAM, result.record, result.reason)
            else:
                yield result

    def _send(self, run: Run, catalog: str | None, batch: list[CatalogProduct]) -> bool:
        stream = run.report.stream(STREAM)
        if run.dry_run or catalog is None:
            stream.sent += len(batch)
            return True
        try:
            result = run.salesmanago.products.upsert(catalog, batch, chunk_size=self.batch_size)
        except AuthenticationError:  # refused credentials stop the whole run
            raise
        except SalesmanagoIdosellError as exc:
            run.report.fail(STREAM, [p.product_id for p in batch], type(exc).__name__)
            run.report.errors.append(f"offer: {exc}")
            return False
        stream.sent += len(batch)
        stream.batches += 1
        for warning in result.warnings:
            run.report.problem(STREAM, warning.field or "?", warning.message, "warning")
        return True
