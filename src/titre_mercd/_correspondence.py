"""Correspondence between versions: the tables the arrêtés give, applied and chained.

Holders of the CCPs of one version « sont réputés avoir obtenu » (are deemed to have) the
blocks the table of the next version's arrêté names; the tables chain from version to version.
:class:`Correspondences` adds them to the lookups of one data set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._codes import describe
from ._queries import Lookups, remember
from ._records import Block, Correspondence, CorrespondenceTable
from .exceptions import ArgumentTypeError, UndecidedError, UnknownBlockError, UnknownVersionError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Union

    from ._loading import Dataset
    from ._queries import VersionKey
    from ._records import CertificationVersion

    HeldBlocks = Iterable[Union[Block, str]]

__all__ = ["Correspondences", "HeldBlocks"]


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
        old, new = self.version(old_key), self.version(new_key)
        table = self._data.tables.get((old.key, new.key))
        if table is None:
            raise UndecidedError(_no_table(old.key, new.key, self._data.tables))
        return table

    def correspondence_table(self, old_key: VersionKey, new_key: VersionKey) -> CorrespondenceTable:
        rows = self.correspondences(old_key, new_key)
        return CorrespondenceTable(
            old_key=self.version(old_key).key, new_key=self.version(new_key).key, rows=rows
        )

    def deemed_obtained(
        self, held: HeldBlocks, target_key: VersionKey | None = None
    ) -> tuple[Block, ...]:
        # A tuple or a list, as callers mostly give, is taken without a call (the bulk figure).
        if type(held) is tuple:
            items = held
        else:
            items = tuple(held) if type(held) is list else _held_items(held)
        argument = (target_key, items)
        try:
            return self._deemed_memo[argument]
        except (KeyError, TypeError):  # not asked before, or an item is not even hashable
            pass
        target = self._target(target_key)
        obtained: set[Block] = set()
        for block in map(self._held_block, items):
            self._require_chain(block.version_key, target.key)
            obtained.update(self._data.reachable_blocks[(block.version_key, block.number)])
        answer = tuple(b for b in target.blocks if b in obtained)
        return remember(self._deemed_memo, argument, answer)  # type: ignore[no-any-return]

    def missing_blocks(
        self, held: HeldBlocks, target_key: VersionKey | None = None
    ) -> tuple[Block, ...]:
        obtained = self.deemed_obtained(held, target_key)
        return tuple(b for b in self._target(target_key).blocks if b not in obtained)

    def _target(self, key: VersionKey | None) -> CertificationVersion:
        """The version ``key`` names; the latest version of this data set for ``None``."""
        if key is None:
            if not self._data.versions:
                raise UnknownVersionError("the data holds no version to convert to")
            return self._data.versions[-1]
        return self.version(key)

    def _require_chain(self, old_key: str, target_key: str) -> None:
        """:class:`UndecidedError` unless tables lead from version ``old_key`` to ``target_key``.

        A bloc of the target, or of a later version, needs no table (it counts as itself, or
        the tables, which lead forward only, give nothing for it).
        """
        if old_key >= target_key:
            return
        tables = self._data.tables
        reached, pending = {old_key}, [old_key]
        while pending:
            key = pending.pop()
            for old, new in tables:
                if old == key and new <= target_key and new not in reached:
                    reached.add(new)
                    pending.append(new)
        if target_key not in reached:
            keys = [v.key for v in self._data.versions if old_key <= v.key <= target_key]
            step = next((a, b) for a, b in zip(keys, keys[1:]) if (a, b) not in tables)
            raise UndecidedError(_no_table(*step, tables, target=target_key))

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


def _no_table(
    old_key: str,
    new_key: str,
    tables: Mapping[tuple[str, str], object],
    *,
    target: str | None = None,
) -> str:
    """Why the correspondence from ``old_key`` to ``new_key`` is not known."""
    known = ", ".join(f"{old} → {new}" for old, new in tables) or "none"
    leading = "" if target is None or target == new_key else f", on the way to {target}"
    return (
        f"no source gives a correspondence table from {old_key} to {new_key}{leading}: which "
        f"blocs of {old_key} count toward {new_key} is not known; tables in the data: {known}"
    )


def _held_items(held: HeldBlocks) -> tuple[Block | str, ...]:
    """``held`` as a tuple, refusing a lone string or block and what is not iterable."""
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
