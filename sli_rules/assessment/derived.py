"""Derived values, kept packed (`Derived`): what the derive stage makes, and what the engine,
the explanations and the stream read back an authority at a time.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterator, Mapping, Sequence
from typing import overload

import attrs

Values = Sequence[float | None]  # a column: a list, or one value for all (Constant)
OUTCOME_CODES: dict[bool | None, int] = {False: 0, True: 1, None: 2}
OUTCOMES: tuple[bool | None, ...] = (False, True, None)


@attrs.frozen(eq=False)
class Derived:
    """Each authority's slot values, in the region's order, and the text codes used.

    Kept packed, as a large region is mostly this: each year's values as one block of machine
    doubles (NaN where a value is unknown, 8 bytes a value instead of a Python float each), and
    each count's outcomes fact by fact as a column of bytes, one an authority. `row` unpacks
    one authority when it is evaluated; `parts_of` reads its counts when they are explained.
    """

    texts: dict[str, float]
    members: tuple[tuple[int, ...], ...]  # each authority's comparator group (indexes), self included
    years: dict[str, tuple[int, ...]]  # year → indexes of its authorities
    # Per year: the slots stored column by column and their columns, and the values of the
    # others (the region's figures, one per year; None where unknown for every authority).
    varying: tuple[tuple[int, ...], ...] = attrs.field(repr=False)
    templates: tuple[tuple[float | None, ...], ...] = attrs.field(repr=False)
    blocks: tuple[tuple[array[float], ...], ...] = attrs.field(repr=False)
    places: tuple[tuple[int, int], ...] = attrs.field(repr=False)  # each authority: (year block, position)
    # Per year: count slot → a column per fact of the outcomes of its test (OUTCOME_CODES).
    part_columns: tuple[dict[int, tuple[bytes, ...]], ...] = attrs.field(repr=False)
    # Per year: each stored slot's column in the year's block.
    _stored: tuple[dict[int, int], ...] = attrs.field(
        init=False, repr=False,
        default=attrs.Factory(
            lambda self: tuple({slot: position for position, slot in enumerate(slots)} for slots in self.varying),
            takes_self=True,
        ),
    )

    def __len__(self) -> int:
        return len(self.places)

    def row(self, index: int) -> tuple[float | None, ...]:
        """One authority's slot values, None where unknown."""
        block, position = self.places[index]
        row = list(self.templates[block])  # None in every stored slot
        for slot, column in zip(self.varying[block], self.blocks[block], strict=True):
            value = column[position]
            if value == value:  # noqa: PLR0124 (NaN, which stands for unknown, is not equal to itself)
                row[slot] = value
        return tuple(row)

    def column(self, block: int, slot: int, start: int, stop: int) -> Sequence[float] | float | None:
        """One slot's values for the authorities at `start` to `stop` of a year's block (NaN
        where unknown), or its one value for them all (None: unknown for them all)."""
        found = self._stored[block].get(slot)
        if found is None:
            return self.templates[block][slot]
        return self.blocks[block][found][start:stop]

    def parts_of(self, index: int) -> Mapping[int, tuple[bool | None, ...]]:
        """One authority's counts, fact by fact: count slot → the outcome of its test on each
        fact, read from the columns when a count is asked for."""
        block, position = self.places[index]
        return Parts(self.part_columns[block], position)

    @property
    def rows(self) -> tuple[tuple[float | None, ...], ...]:
        return tuple(self.row(index) for index in range(len(self)))

    @property
    def parts(self) -> tuple[Mapping[int, tuple[bool | None, ...]], ...]:
        return tuple(self.parts_of(index) for index in range(len(self)))


class Parts(Mapping[int, tuple[bool | None, ...]]):
    """One authority's count outcomes, read from its year's columns slot by slot."""

    __slots__ = ("columns", "position")

    def __init__(self, columns: dict[int, tuple[bytes, ...]], position: int) -> None:
        self.columns = columns
        self.position = position

    def __getitem__(self, slot: int) -> tuple[bool | None, ...]:
        position = self.position
        return tuple([OUTCOMES[column[position]] for column in self.columns[slot]])

    def __iter__(self) -> Iterator[int]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)


class Constant(Sequence[float | None]):
    """A column with one value for every authority (a region or national figure): one object,
    not one pointer per authority."""

    __slots__ = ("size", "value")

    def __init__(self, value: float | None, size: int) -> None:
        self.value = value
        self.size = size

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> float | None: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[float | None]: ...
    def __getitem__(self, index: int | slice) -> float | Sequence[float | None] | None:
        if isinstance(index, slice):
            return [self.value] * len(range(*index.indices(self.size)))
        if not -self.size <= index < self.size:
            raise IndexError(index)
        return self.value

    def __iter__(self) -> Iterator[float | None]:
        return itertools.repeat(self.value, self.size)
