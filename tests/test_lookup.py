"""Versions in force, and lookup by ROME, NSF and RNCP code."""

from __future__ import annotations

import datetime as dt

import pytest

from titre_mercd import (
    InvalidCodeError,
    NotInDataError,
    NsfCode,
    RomeCode,
    UndecidedError,
    UnknownCodeError,
    UnknownVersionError,
    by_nsf,
    by_rncp,
    by_rome,
    current,
    is_in_force,
    nsf,
    rome,
    successor,
    version,
)


def keys(found: tuple[object, ...]) -> list[str]:
    return [v.key for v in found]  # type: ignore[attr-defined]


class TestInForce:
    def test_first_and_last_day_of_the_2018_version(self) -> None:
        assert not is_in_force(dt.date(2019, 5, 11), "2018-12-11")
        assert current(dt.date(2019, 5, 12)) is version("2018-12-11")
        assert current(dt.date(2024, 5, 11)) is version("2018-12-11")
        assert not is_in_force(dt.date(2024, 5, 12), "2018-12-11")

    def test_first_and_last_day_of_the_2011_version(self) -> None:
        assert current(dt.date(2012, 5, 12)) is version("2011-06-01")
        assert current(dt.date(2017, 5, 11)) is version("2011-06-01")
        assert not is_in_force(dt.date(2012, 5, 11), "2011-06-01")

    def test_is_in_force_with_and_without_key(self) -> None:
        assert is_in_force(dt.date(2020, 1, 1))
        assert is_in_force(dt.date(2020, 1, 1), "2018-12-11")
        assert not is_in_force(dt.date(2020, 1, 1), "2011-06-01")

    def test_today_is_the_default(self) -> None:
        try:
            today = current(dt.date.today())
        except UndecidedError as undecided:
            with pytest.raises(UndecidedError) as again:
                current()
            assert str(again.value) == str(undecided)
        else:
            assert current() is today

    @pytest.mark.parametrize("bad", ["2020-01-01", dt.time(12), 20200101, None])
    def test_a_date_must_be_a_date(self, bad: object) -> None:
        with pytest.raises(TypeError, match=r"datetime\.date"):
            is_in_force(bad)  # type: ignore[arg-type]
        if bad is not None:
            with pytest.raises(TypeError, match=r"datetime\.date"):
                current(bad)  # type: ignore[arg-type]

    def test_what_replaces_a_version(self) -> None:
        assert successor("2007-04-27") is version("2011-06-01")
        assert successor("2011-06-01") is version("2018-12-11")
        with pytest.raises(NotInDataError, match="RNCP38665"):
            successor("2018-12-11")


class TestRome:
    @pytest.mark.parametrize("typed", ["D1408", " d1408 ", "d 1408", "D1408\n"])
    def test_codes_are_normalised(self, typed: str) -> None:
        assert rome(typed) == RomeCode("D1408", "Téléconseil et télévente")
        assert keys(by_rome(typed)) == ["2011-06-01", "2018-12-11"]

    def test_m1704_is_only_in_2018(self) -> None:
        assert keys(by_rome("M1704")) == ["2018-12-11"]
        assert rome("M1704").label == "Management relation clientèle"

    def test_a_well_formed_unknown_code(self) -> None:
        assert by_rome("A1101") == ()
        with pytest.raises(UnknownCodeError, match="A1101"):
            rome("A1101")

    @pytest.mark.parametrize("bad", ["", "D14", "D14080", "Z1408", "1408D", "DD408"])
    def test_malformed_codes(self, bad: str) -> None:
        with pytest.raises(InvalidCodeError, match="ROME"):
            rome(bad)
        with pytest.raises(InvalidCodeError):
            by_rome(bad)


class TestNsf:
    @pytest.mark.parametrize("typed", ["312t", "312T", "312 t", " 312 T "])
    def test_codes_are_normalised(self, typed: str) -> None:
        assert nsf(typed) == NsfCode("312t", "Négociation et vente")
        assert keys(by_nsf(typed)) == ["2011-06-01", "2018-12-11"]

    def test_a_group_finds_its_specialities(self) -> None:
        assert keys(by_nsf("312")) == ["2007-04-27", "2011-06-01", "2018-12-11"]
        assert nsf("312").label == "Commerce, vente"

    def test_312w_has_no_known_label(self) -> None:
        assert nsf("312w") == NsfCode("312w", None)
        assert keys(by_nsf("312 w")) == ["2007-04-27"]

    def test_unknown_and_malformed(self) -> None:
        assert by_nsf("313") == ()
        with pytest.raises(UnknownCodeError):
            nsf("312z")
        for bad in ("", "3121", "31", "312tt", "t312"):
            with pytest.raises(InvalidCodeError, match="NSF"):
                nsf(bad)


class TestRncp:
    @pytest.mark.parametrize("typed", ["RNCP12505", "rncp12505", "12505", " RNCP 12505 "])
    def test_fiche_of_the_2011_version(self, typed: str) -> None:
        assert by_rncp(typed) is version("2011-06-01")

    def test_unknown_and_malformed(self) -> None:
        with pytest.raises(UnknownCodeError, match="RNCP38665"):
            by_rncp("38665")
        for bad in ("", "RNCP", "RNCP12A05", "abc"):
            with pytest.raises(InvalidCodeError, match="RNCP"):
                by_rncp(bad)


class TestVersionKeys:
    def test_unknown_version(self) -> None:
        with pytest.raises(UnknownVersionError, match="2018-12-11") as info:
            version("2019-05-12")
        assert "2019-05-12" in str(info.value)

    def test_surrounding_spaces(self) -> None:
        assert version(" 2018-12-11 ") is version("2018-12-11")
