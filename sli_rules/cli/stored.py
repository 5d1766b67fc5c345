"""What the store knows already, brought to an assessment (`record`, `assess --db`,
`report --db`): the facts of the authorities' thematic reviews, their own views of their
triggers, and the concerns counted for them the year before."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..cycle.store.api import Store
    from ..facts import Region


def known_to_store(store: Store, region: Region) -> tuple[Region, dict[str, Any]]:
    """What the store knows already, to reach the verdict: the region with the facts of each
    authority's thematic reviews of the year added (`region` is not bound yet), and the
    engine's keyword arguments: each authority's own view of its triggers, and its concerns as
    they stand on record in the year before and each year before that (for `persistent`, with
    and without `years`)."""
    from ..facts.themes import with_thematic_facts

    years = sorted({item.year for item in region.authorities}, key=lambda year: year[:4])
    reviews = [review for year in years for review in store.thematic_reviews(year)]
    region = with_thematic_facts(region, reviews)
    own = tuple(found for year in years for found in store.self_assessments(year))
    known: dict[str, Any] = {"self_assessments": own}
    if years:
        known["years_before"] = store.years_before(years[0])
    return region, known
