"""What the store knows already, brought to an assessment (`record`, `assess --db`,
`report --db`): the facts of the authorities' thematic reviews, their own views of their
triggers, and the concerns counted for them the year before."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..cycle.store.api import Store
    from ..facts import Region
    from ..facts.selfassess import SelfAssessment


def known_to_store(
    store: Store, region: Region
) -> tuple[Region, tuple[SelfAssessment, ...], dict[str, frozenset[str]] | None]:
    """What the store knows already, to reach the verdict: the facts of each authority's
    thematic reviews of the year, its own view of its triggers, and the concerns counted for
    it the year before. `region` is not bound yet (the thematic facts are added first)."""
    from ..facts.themes import with_thematic_facts

    years = sorted({item.year for item in region.authorities}, key=lambda year: year[:4])
    reviews = [review for year in years for review in store.thematic_reviews(year)]
    region = with_thematic_facts(region, reviews)
    own = tuple(found for year in years for found in store.self_assessments(year))
    last_year = store.flagged_last_year(years[0]) if years else None
    return region, own, last_year
