"""Correspondence between versions: the tables the arrêtés give, applied and chained.

Holders of the CCPs of one version « sont réputés avoir obtenu » (are deemed to have) the
blocks the table of the next version's arrêté names; the tables chain from version to version.
:class:`Correspondences` adds them to the lookups of one data set.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Union

from ._codes import describe
from ._queries import Lookups, VersionKey, remember
from ._records import Block, Correspondence, CorrespondenceTable
from .exceptions import ArgumentTypeError, UnknownBlockError

if TYPE_CHECKING:
    from ._loading import Dataset

__all__ = ["Correspondences", "HeldBlocks"]

HeldBlocks = Iterable[Union[Block, str]]


class Correspondences(Lookups):
    """The lookups of one data set, and its correspondence tables applied."""

    __slots__ = ("_deemed_memo",)
    _deemed_memo: dict[object, tuple[Block, ...]]

    def __init__(self, data: Dataset) -> None:
        super().__init__(data)
        self._deemed_memo = {}

    def correspondences(
        self, old_key: VersionKey, new_key: VersionKey
    ) -> tuple[Correspondence, ...]:
        """The table between two versions: :func:`titre_mercd.correspondences`."""
        old, new = self.version(old_key), self.version(new_key)
        return self._data.tables.get((old.key, new.key), ())

    def correspondence_table(self, old_key: VersionKey, new_key: VersionKey) -> CorrespondenceTable:
        """The table as one record: :func:`titre_mercd.correspondence_table`."""
        rows = self.correspondences(old_key, new_key)
        return CorrespondenceTable(
            old_key=self.version(old_key).key, new_key=self.version(new_key).key, rows=rows
        )

    def deemed_obtained(
        self, held: HeldBlocks, target_key: VersionKey = "2018-12-11"
    ) -> tuple[Block, ...]:
        """The target's blocs ``held`` is deemed to give: :func:`titre_mercd.deemed_obtained`."""
        items = _held_items(held)
        argument = (target_key, items)
        try:
            return self._deemed_memo[argument]
        except (KeyError, TypeError):  # not asked before, or an item is not even hashable
            pass
        target = self.version(target_key)
        obtained: set[Block] = set()
        for block in map(self._held_block, items):
            obtained.update(self._data.reachable_blocks[(block.version_key, block.number)])
        answer = tuple(b for b in target.blocks if b in obtained)
        return remember(self._deemed_memo, argument, answer)  # type: ignore[no-any-return]

    def missing_blocks(
        self, held: HeldBlocks, target_key: VersionKey = "2018-12-11"
    ) -> tuple[Block, ...]:
        """The target's blocs still to obtain: :func:`titre_mercd.missing_blocks`."""
        obtained = self.deemed_obtained(held, target_key)
        return tuple(b for b in self.version(target_key).blocks if b not in obtained)

    def _held_block(self, item: Block | str) -> Block:
        """The block of this data set that a held item names."""
        if isinstance(item, str):
            return self.find_block(item)
        if not isinstance(item, Block):
            raise ArgumentTypeError(
                "each held item must be a Block or a string find_block accepts, "
                f"not {describe(item)}"
            )
        found = self._data.block_by_ref.get((item.version_key, item.number))
        if found is None or found != item:
            raise UnknownBlockError(f"{describe(item)} is not a block of any known version")
        return found


def _held_items(held: HeldBlocks) -> tuple[Block | str, ...]:
    """``held`` as a tuple, refusing a lone string or block and what is not iterable."""
    if type(held) is tuple:
        return held
    if not isinstance(held, (str, bytes, Block)):
        try:
            iterator = iter(held)
        except TypeError:
            pass
        else:
            return tuple(iterator)
    raise ArgumentTypeError(
        "held must be an iterable of blocks or block titles, e.g. "
        f"['2011-06-01/2'], not {describe(held)}"
    )
