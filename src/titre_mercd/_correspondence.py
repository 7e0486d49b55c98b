"""Correspondence between versions: the tables the arrêtés give, applied and chained.

Holders of the CCPs of one version « sont réputés avoir obtenu » (are deemed to have) the
blocks the table of the next version's arrêté names; the tables chain from version to version.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Union

from ._codes import describe
from ._loading import Dataset, dataset, memo, remember
from ._queries import _FIND_BLOCK_MEMO, _find_block, _version
from ._records import Block, Correspondence, CorrespondenceTable
from .exceptions import ArgumentTypeError

if TYPE_CHECKING:
    from ._records import CertificationVersion

__all__ = ["correspondence_table", "correspondences", "deemed_obtained", "missing_blocks"]

HeldBlocks = Iterable[Union[Block, str]]
# A version key, or the version itself (see :func:`titre_mercd.version`).
VersionKey = Union[str, "CertificationVersion"]

_DEEMED_MEMO = memo("deemed_obtained")


def correspondences(old_key: VersionKey, new_key: VersionKey) -> tuple[Correspondence, ...]:
    """The table the law gives from version ``old_key`` to ``new_key``, in the law's order.

    An empty tuple when no text gives a table between the two (2007 → 2011, for instance).

    >>> [(row.old.number, row.new and row.new.number) for row in
    ...  correspondences("2011-06-01", "2018-12-11")]
    [(1, None), (2, 2), (3, 1)]
    """
    return _correspondences(dataset(), old_key, new_key)


def _correspondences(
    data: Dataset, old_key: VersionKey, new_key: VersionKey
) -> tuple[Correspondence, ...]:
    old, new = _version(data, old_key), _version(data, new_key)
    return data.tables.get((old.key, new.key), ())


def correspondence_table(old_key: VersionKey, new_key: VersionKey) -> CorrespondenceTable:
    """The table from ``old_key`` to ``new_key`` as one record, shown as a table in notebooks.

    Its ``rows`` are :func:`correspondences` ``(old_key, new_key)``.

    Raises:
        UnknownVersionError: either key names no version.

    >>> table = correspondence_table("2011-06-01", "2018-12-11")
    >>> [(row.old.number, row.new and row.new.number) for row in table.rows]
    [(1, None), (2, 2), (3, 1)]
    """
    return _correspondence_table(dataset(), old_key, new_key)


def _correspondence_table(
    data: Dataset, old_key: VersionKey, new_key: VersionKey
) -> CorrespondenceTable:
    rows = _correspondences(data, old_key, new_key)
    return CorrespondenceTable(
        old_key=_version(data, old_key).key, new_key=_version(data, new_key).key, rows=rows
    )


def deemed_obtained(held: HeldBlocks, target_key: VersionKey = "2018-12-11") -> tuple[Block, ...]:
    """The blocks of the target version that a holder of ``held`` is deemed to have.

    ``held`` is an iterable of :class:`Block` or of strings :func:`find_block` accepts.
    Blocks of the target version pass through; others follow the correspondence tables from
    version to version; a block with no correspondence gives nothing. The answer is in the
    target version's bloc order (the order of its arrêté), each block once.

    Raises:
        ArgumentTypeError: ``held`` is a single string or block, not an iterable of them.
        UnknownVersionError: ``target_key`` names no version.
        UnknownBlockError, AmbiguousBlockError: a string names no block, or several.

    >>> [b.number for b in deemed_obtained(["2011-06-01/3", "2011-06-01/2"])]
    [1, 2]
    """
    items = _held_items(held)
    argument = (target_key, items)
    try:
        return _DEEMED_MEMO[argument]  # type: ignore[no-any-return]
    except (KeyError, TypeError):  # not asked before, or an item is not even hashable
        pass
    data = dataset()
    answer = _deemed_obtained(data, items, target_key)
    remember(_DEEMED_MEMO, argument, answer, data)
    return answer


def _deemed_obtained(
    data: Dataset, held: HeldBlocks, target_key: VersionKey = "2018-12-11"
) -> tuple[Block, ...]:
    target = _version(data, target_key)
    obtained: set[Block] = set()
    for block in _held_blocks(data, _held_items(held)):
        obtained.update(data.reachable_blocks[(block.version_key, block.number)])
    return tuple(b for b in target.blocks if b in obtained)


def missing_blocks(held: HeldBlocks, target_key: VersionKey = "2018-12-11") -> tuple[Block, ...]:
    """The blocks of the target version that ``held`` does not give, in the arrêté's order.

    >>> held = ["Manager une équipe de conseillers (ères) clientèle à distance"]
    >>> [b.number for b in missing_blocks(held)]
    [1]
    """
    return _missing_blocks(dataset(), held, target_key)


def _missing_blocks(
    data: Dataset, held: HeldBlocks, target_key: VersionKey = "2018-12-11"
) -> tuple[Block, ...]:
    obtained = _deemed_obtained(data, held, target_key)
    return tuple(b for b in _version(data, target_key).blocks if b not in obtained)


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


def _held_blocks(data: Dataset, held: tuple[Block | str, ...]) -> list[Block]:
    blocks = []
    for item in held:
        if isinstance(item, Block):
            blocks.append(_shipped(data, item))
        elif isinstance(item, str):
            blocks.append(_named_block(data, item))
        else:
            raise ArgumentTypeError(
                "each held item must be a Block or a string find_block accepts, "
                f"not {describe(item)}"
            )
    return blocks


def _named_block(data: Dataset, text: str) -> Block:
    """The block :func:`find_block` finds for ``text`` in ``data``, through its memo if it can.

    The memo holds answers from the data in use: one that is not among ``data``'s blocks
    (``data`` is another data set, or a switch came in between) is not taken.
    """
    found: Block | None = _FIND_BLOCK_MEMO.get(text)
    if found is None or data.block_by_ref.get((found.version_key, found.number)) is not found:
        found = _find_block(data, text)
        remember(_FIND_BLOCK_MEMO, text, found, data)
    return found


def _shipped(data: Dataset, block: Block) -> Block:
    """``block`` itself if it is one of the blocks of ``data``, else a typed error."""
    found = data.block_by_ref.get((block.version_key, block.number))
    if found != block:
        from .exceptions import UnknownBlockError

        raise UnknownBlockError(f"{describe(block)} is not a block of any known version")
    return found
