"""Where the values of fact sets were written: found only when a problem asks, because a
large file holds millions of values and only those with a problem are ever looked for."""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, MutableMapping, ValuesView
from typing import Any, Generic, TypeVar

from ..errors import Location, Locator, Place, Spot, Where
from ..errors import locations as find_locations


class _Written:
    """The values of a fact set as written in one document: each id's value lies at
    `base` + (id,), or at its own place where it was written nested (`ascof: {1a: ...}`)."""

    __slots__ = ("base", "ids", "key", "locator", "nested")

    def __init__(
        self, locator: Locator, base: Where, ids: Mapping[str, Any], nested: Mapping[str, Where], key: bool
    ) -> None:
        self.locator = locator
        self.base = base
        self.ids = ids  # the fact set's values themselves: their ids are the ids placed here
        self.nested = nested
        self.key = key

    def place(self, fact: str) -> Place:
        return Place(self.locator, self.nested.get(fact) or (*self.base, fact), self.key)


class PlaceMap(MutableMapping[str, Location]):
    """Where each value of a fact set was written (fact id → location), found when read.

    A region of tens of megabytes holds millions of values; recording where each was
    written as it is read would take gigabytes, and only values with a problem are ever
    looked for. A PlaceMap holds, per document, the place of the values inside it, and
    finds a line only when asked (`spot` gives the place without finding it, so that
    problems found together are located together). Places set one by one (merged from
    another fact set, or read from a CSV) are kept as given.
    """

    __slots__ = ("_hidden", "_layers", "_own")

    def __init__(self, given: Mapping[str, Spot] | None = None, layers: tuple[_Written, ...] = ()) -> None:
        self._own: dict[str, Spot] = dict(given or {})
        self._layers = layers
        self._hidden: frozenset[str] = frozenset()

    @classmethod
    def written(
        cls, locator: Locator, base: Where, ids: Mapping[str, Any], nested: Mapping[str, Where], *, key: bool = False
    ) -> PlaceMap:
        """The places of `ids` in a document: under `base`, or as `nested` says."""
        return cls(layers=(_Written(locator, base, ids, nested, key),))

    @classmethod
    def of(cls, locations: Mapping[str, Location]) -> PlaceMap:
        """A copy of any mapping of locations, to which places can be added."""
        if isinstance(locations, DeferredPlaces):
            locations = locations.made()
        if isinstance(locations, PlaceMap):
            return locations.copy()
        return cls(locations)

    def copy(self) -> PlaceMap:
        copied = PlaceMap(self._own, self._layers)
        copied._hidden = self._hidden
        return copied

    def spot(self, fact: str) -> Spot | None:
        """Where `fact` was written, without looking for its line; None if not here."""
        found = self._own.get(fact)
        if found is not None:
            return found
        if fact in self._hidden:
            return None
        for layer in self._layers:
            if fact in layer.ids:
                return layer.place(fact)
        return None

    def renamed(self, rename: Callable[[str], str | None]) -> PlaceMap:
        """The same places under new ids (`rename` gives an id's new one, or None to keep it)."""
        moved = {fact: new for fact in self if (new := rename(fact)) is not None and new != fact}
        if not moved:
            return self
        result = self.copy()
        spots = {fact: result.spot(fact) for fact in moved}
        for fact in moved:
            del result[fact]
        for fact, new in moved.items():
            spot = spots[fact]
            if spot is not None:
                result[new] = spot
        return result

    def __getitem__(self, fact: str) -> Location:
        found = self.spot(fact)
        if found is None:
            raise KeyError(fact)
        return found.location() if isinstance(found, Place) else found

    def __setitem__(self, fact: str, value: Spot) -> None:
        self._own[fact] = value
        if fact in self._hidden:
            self._hidden = self._hidden - {fact}

    def __delitem__(self, fact: str) -> None:
        if self.spot(fact) is None:
            raise KeyError(fact)
        self._own.pop(fact, None)
        self._hidden = self._hidden | {fact}

    def __contains__(self, fact: object) -> bool:
        return isinstance(fact, str) and self.spot(fact) is not None

    def __iter__(self) -> Iterator[str]:
        seen = set(self._own)
        yield from self._own
        for layer in self._layers:
            for fact in layer.ids:
                if fact not in seen and fact not in self._hidden:
                    seen.add(fact)
                    yield fact

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def placed_within(self, ids: frozenset[str]) -> bool:
        """Whether every fact placed here is among `ids`, without finding any place: asked of
        every fact set as it is bound, so each document's ids are compared as a set."""
        if self._hidden:
            return all(fact in ids for fact in self)
        return ids.issuperset(self._own) and all(ids.issuperset(layer.ids) for layer in self._layers)

    def __repr__(self) -> str:
        return f"PlaceMap({len(self)} places)"

    def _find_all(self) -> None:
        """Every place found in one reading of each document, before they are read one by
        one (as `dict(places)`, `.items()` and `.values()` do): one reading each would
        take minutes in a large file."""
        find_locations(spot for fact in self if isinstance(spot := self.spot(fact), Place))

    def keys(self) -> KeysView[str]:
        self._find_all()
        return super().keys()

    def items(self) -> ItemsView[str, Location]:
        self._find_all()
        return super().items()

    def values(self) -> ValuesView[Location]:
        self._find_all()
        return super().values()


PlacedT = TypeVar("PlacedT")


class DeferredPlaces(Mapping[str, PlacedT], Generic[PlacedT]):
    """Places worked out when first asked for. Merging gathers each authority-year's earlier
    years' places, and binding renames every place to its catalogue id, for a thousand
    authority-years at a time; places are read only for a problem, so the work is kept for
    then. `make` must give the same answer whenever it is called: it reads only what is no
    longer changed (a merged fact set's places, a rulebook)."""

    __slots__ = ("_made", "_make")

    def __init__(self, make: Callable[[], Mapping[str, PlacedT]]) -> None:
        self._make: Callable[[], Mapping[str, PlacedT]] | None = make
        self._made: Mapping[str, PlacedT] | None = None

    def made(self) -> Mapping[str, PlacedT]:
        """The places themselves (a PlaceMap or a dict), worked out once."""
        made = self._made
        if made is None:
            make = self._make
            if make is None:  # worked out meanwhile, in another thread
                return self.made()
            made = self._made = make()  # (two threads may both work it out: the same answer)
            self._make = None  # what it was made from, let go
        return made

    def __getitem__(self, fact: str) -> PlacedT:
        return self.made()[fact]

    def __iter__(self) -> Iterator[str]:
        return iter(self.made())

    def __len__(self) -> int:
        return len(self.made())

    def __contains__(self, fact: object) -> bool:
        return fact in self.made()

    def keys(self) -> KeysView[str]:
        return self.made().keys()

    def items(self) -> ItemsView[str, PlacedT]:
        return self.made().items()

    def values(self) -> ValuesView[PlacedT]:
        return self.made().values()

    def __repr__(self) -> str:
        return "DeferredPlaces(not yet worked out)" if self._made is None else f"DeferredPlaces({self._made!r})"


def placed(locations: Mapping[str, PlacedT]) -> Mapping[str, PlacedT]:
    """The places themselves, worked out if they were deferred."""
    if type(locations) is dict:  # (the common case, told without asking the mapping ABCs)
        return locations
    return locations.made() if isinstance(locations, DeferredPlaces) else locations


def spot_of(locations: Mapping[str, Location], fact: str, default: Spot) -> Spot:
    """Where `fact` was written, as a location or a place still to find; `default` if not known."""
    if type(locations) is dict:  # (the common case, told without asking the mapping ABCs)
        given: Spot = locations.get(fact, default)
        return given
    if isinstance(locations, DeferredPlaces):
        locations = locations.made()
    if isinstance(locations, PlaceMap):
        found = locations.spot(fact)
        return default if found is None else found
    return locations.get(fact, default)



def renamed_places(locations: Mapping[str, Location], resolve: Callable[[str], str | None]) -> Mapping[str, Location]:
    """Places under the catalogue ids `resolve` gives (an id it does not know keeps its own)."""
    if isinstance(locations, PlaceMap):  # not looked up: most places are never asked for
        return locations.renamed(resolve)
    rekeyed = {resolve(fact) or fact: where for fact, where in locations.items()}
    return locations if rekeyed.keys() == locations.keys() else rekeyed


def history_places(
    history: dict[str, dict[str, Any]],
    locations: Mapping[str, Mapping[str, Location]],
    default: Location,
    resolve: Callable[[str, str | None], str | None],
) -> dict[str, PlaceMap]:
    """Where each earlier year's value was written, under the catalogue id it binds to (for
    a history every value of which was kept: see binding's `history_plainly`)."""
    found: dict[str, PlaceMap] = {}
    for fact, by_year in history.items():
        given = locations.get(fact, {})
        for when in by_year:
            canonical = resolve(fact, when) or fact
            into = found.get(canonical)
            if into is None:
                into = found[canonical] = PlaceMap()
            into[when] = spot_of(given, when, default)
    return found


def within(locations: Mapping[str, Location], ids: frozenset[str]) -> bool:
    """Whether every fact placed is among `ids`: by iterating the facts, never `keys()`, which
    finds every place of a fact set read from a file (one reading of the file each)."""
    locations = placed(locations)
    if isinstance(locations, PlaceMap):
        return locations.placed_within(ids)
    return all(fact in ids for fact in locations)
