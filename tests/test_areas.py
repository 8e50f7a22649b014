"""Unit lists, fuzzy unit names and area assignment (issue 8)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler import fieldwork as areas
from scheduler.errors import NotFound
from scheduler.store.models import AreaAssignment, Unit
from tests.cli_support import run_cli
from tests.support_areas import give_area, load_2024, officer, unit


def _names(units: list[Unit]) -> list[str]:
    return [areas.unit_label(u) for u in units]


def test_the_2024_list_has_nine_districts_and_94_communes_wards_and_towns(session: Session) -> None:
    load_2024(session)
    kinds = Counter(u.kind for u in areas.units_in_year(session, 2024, areas.AREA_KINDS))
    assert kinds == {"province": 1, "district": 9, "commune": 71, "ward": 17, "town": 6}
    districts = {u.name for u in areas.units_in_year(session, 2024, ("district",))}
    assert "Thị xã Trảng Bàng" in districts and "Huyện Dương Minh Châu" in districts


def test_vietnam_provinces_gives_tay_ninh_96_communes_and_wards_from_2025(session: Session) -> None:
    [result] = areas.load_units_for_year(session, "Tây Ninh", 2026)
    assert result.communes == 96
    kinds = Counter(u.kind for u in areas.units_in_year(session, 2026, province="Tây Ninh"))
    assert kinds == {"commune": 82, "ward": 14}
    assert areas.units_in_year(session, 2024) == []


def test_loading_a_list_twice_adds_nothing(session: Session) -> None:
    load_2024(session)
    before = session.scalar(select(func.count(Unit.id)))
    [again] = areas.load_units_for_year(session, "Tây Ninh", 2024)
    assert (again.created, again.updated) == (0, 0)
    assert session.scalar(select(func.count(Unit.id))) == before


@pytest.mark.parametrize(
    "typed",
    ["Truông Mít", "truong mit", "Xã Truông Mít", "xa truong mit", "TRUONG MIT", "x. Truông Mít"],
)
def test_a_commune_is_found_with_or_without_diacritics_and_prefix(
    session: Session, typed: str
) -> None:
    load_2024(session)
    assert _names(areas.match_units(session, typed, 2024)) == [
        "Xã Truông Mít (Huyện Dương Minh Châu)"
    ]


@pytest.mark.parametrize("typed", ["Truong Mitt", "truon mit", "Truông Mýt"])
def test_a_small_typo_still_finds_the_commune(session: Session, typed: str) -> None:
    load_2024(session)
    assert _names(areas.match_units(session, typed, 2024)) == [
        "Xã Truông Mít (Huyện Dương Minh Châu)"
    ]


def test_tan_binh_in_2024_is_ambiguous_between_two_districts(session: Session) -> None:
    load_2024(session)
    assert _names(areas.match_units(session, "Tân Bình", 2024)) == [
        "Xã Tân Bình (Huyện Tân Biên)",
        "Xã Tân Bình (Thành phố Tây Ninh)",
    ]
    assert _names(areas.match_units(session, "tan binh (tan bien)", 2024)) == [
        "Xã Tân Bình (Huyện Tân Biên)"
    ]
    assert _names(areas.match_units(session, "Tân Bình, Tây Ninh", 2024)) == [
        "Xã Tân Bình (Thành phố Tây Ninh)"
    ]


def test_ambiguity_error_lists_the_candidates_with_their_codes(session: Session) -> None:
    load_2024(session)
    with pytest.raises(areas.AmbiguousUnit) as caught:
        areas.resolve_unit(session, "tan binh", 2024)
    message = str(caught.value)
    assert "tn2024.tan-bien.tan-binh" in message and "tn2024.tay-ninh.tan-binh" in message
    assert len(caught.value.candidates) == 2


def test_tan_thanh_without_diacritics_is_ambiguous_after_2025_but_the_exact_spelling_wins(
    session: Session,
) -> None:
    areas.load_units_for_year(session, "Tây Ninh", 2026)
    assert _names(areas.match_units(session, "tan thanh", 2026)) == ["Xã Tân Thành", "Xã Tân Thạnh"]
    assert _names(areas.match_units(session, "Tân Thạnh", 2026)) == ["Xã Tân Thạnh"]
    assert _names(areas.match_units(session, "xã Tân Thành", 2026)) == ["Xã Tân Thành"]


def test_names_repeated_elsewhere_are_unique_within_tay_ninh_2024(session: Session) -> None:
    load_2024(session)
    assert _names(areas.match_units(session, "Thạnh Đức", 2024)) == ["Xã Thạnh Đức (Huyện Gò Dầu)"]
    assert _names(areas.match_units(session, "phuoc thanh", 2024)) == [
        "Xã Phước Thạnh (Huyện Gò Dầu)"
    ]
    assert _names(areas.match_units(session, "An Bình", 2024)) == ["Xã An Bình (Huyện Châu Thành)"]


def test_phuong_4_finds_phuong_iv_of_tay_ninh_city(session: Session) -> None:
    load_2024(session)
    assert _names(areas.match_units(session, "phường 4", 2024)) == [
        "Phường IV (Thành phố Tây Ninh)"
    ]


def test_an_unknown_commune_is_not_found_with_a_hint(session: Session) -> None:
    load_2024(session)
    with pytest.raises(NotFound, match=r"Không tìm thấy xã, phường 'Tân Bìnhh Đông'.*Có phải"):
        areas.resolve_unit(session, "Tân Bìnhh Đông", 2024)
    with pytest.raises(NotFound, match="Atlantis"):
        areas.resolve_unit(session, "Atlantis", 2024)


def test_a_year_without_a_list_says_how_to_load_one(session: Session) -> None:
    with pytest.raises(NotFound, match="lichct units load --year 2024"):
        areas.resolve_unit(session, "Tân Lập", 2024)


def test_assigning_a_district_covers_its_communes_and_twice_changes_nothing(
    session: Session,
) -> None:
    load_2024(session)
    an = officer(session, "Nguyễn Văn An")
    give_area(session, an, "Huyện Tân Biên", "Phước Thạnh")
    covered = areas.area_units(session, an, 2024)
    assert len(covered) == 11
    assert "Thị trấn Tân Biên" in {u.name for u in covered}
    again = areas.assign_area(session, an, [unit(session, "Huyện Tân Biên")], an.created_at)
    assert again == [(unit(session, "Huyện Tân Biên"), False)]
    count = session.scalar(
        select(func.count(AreaAssignment.id)).where(AreaAssignment.officer_id == an.id)
    )
    assert count == 2


def test_an_area_of_2024_does_not_spill_into_the_reorganised_years(session: Session) -> None:
    load_2024(session)
    areas.load_units_for_year(session, "Tây Ninh", 2026)
    an = officer(session, "Nguyễn Văn An")
    give_area(session, an, "Huyện Gò Dầu")
    assert len(areas.area_units(session, an, 2024)) == 9
    assert areas.area_units(session, an, 2026) == []


def test_the_province_is_a_setting_with_tay_ninh_by_default(session: Session) -> None:
    assert areas.province_setting({}) == "Tây Ninh"
    assert areas.province_setting({"areas": {"province": "Đồng Tháp"}}) == "Đồng Tháp"
    [loaded] = areas.ensure_units(session, "Đồng Tháp", 2026)
    assert loaded.communes > 50
    assert areas.ensure_units(session, "Đồng Tháp", 2026) == []
    assert areas.units_in_year(session, 2026, province="Tây Ninh") == []


@pytest.fixture
def cli_now(cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LICHCT_NOW", "2024-05-21T07:59")


def test_cli_areas_assign_loads_the_year_list_the_first_time(
    cli_now: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "init").code == 0
    assert run_cli(capsys, "officers", "add", "Nguyễn Văn An").code == 0
    result = run_cli(capsys, "areas", "assign", "Nguyen Van An", "huyen tan bien", "Thạnh Đức")
    assert result.code == 0, result.err
    assert "Đã nạp danh sách đơn vị Tỉnh Tây Ninh" in result.out
    assert "Đã phân công: Xã Thạnh Đức (Huyện Gò Dầu)" in result.out
    assert "11 xã, phường, thị trấn" in result.out
    listed = json.loads(run_cli(capsys, "areas", "list", "--format", "json").out)
    assert [(r["unit"], r["communes"]) for r in listed] == [
        ("Huyện Tân Biên", 10),
        ("Xã Thạnh Đức", 1),
    ]


def test_cli_ambiguous_unit_is_an_error_listing_candidates_and_stores_nothing(
    cli_now: None, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(capsys, "init")
    run_cli(capsys, "officers", "add", "Nguyễn Văn An")
    result = run_cli(capsys, "areas", "assign", "1", "Tân Bình")
    assert result.code != 0
    assert "tn2024.tan-bien.tan-binh" in result.err and "tn2024.tay-ninh.tan-binh" in result.err
    assert "Traceback" not in result.err
    assert json.loads(run_cli(capsys, "areas", "list", "--format", "json").out) == []
    ok = run_cli(capsys, "areas", "assign", "1", "tn2024.tan-bien.tan-binh")
    assert ok.code == 0 and "Xã Tân Bình (Huyện Tân Biên)" in ok.out


def test_2025_has_both_lists_the_old_communes_until_june_and_the_new_ones_from_july(
    session: Session,
) -> None:
    loaded = areas.ensure_units(session, "Tây Ninh", 2025)
    assert [r.communes for r in loaded] == [94, 96]
    assert len(areas.units_in_year(session, 2025)) == 190
    assert areas.ensure_units(session, "Tây Ninh", 2026) == []


def test_cli_units_load_and_list(cli_now: None, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "init")
    loaded = run_cli(capsys, "units", "load", "--year", "2026")
    assert loaded.code == 0 and "96 xã, phường" in loaded.out
    listed = json.loads(run_cli(capsys, "units", "list", "--year", "2026", "--format", "json").out)
    assert len(listed) == 96
    assert {"code", "name", "kind", "parent"} <= set(listed[0])
    empty = run_cli(capsys, "units", "list", "--year", "2024")
    assert "units load --year 2024" in empty.out


def test_cli_units_load_from_a_csv_file_and_a_bad_file_is_refused(
    cli_now: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run_cli(capsys, "init")
    good = tmp_path / "mot-tinh-2023.csv"
    good.write_text(
        "# a made-up list\n"
        "code,name,kind,parent,valid_from,valid_to\n"
        "mt,Tỉnh Một,province,,2020,2023\n"
        "mt.a,Huyện A,district,mt,2020,2023\n"
        "mt.a.x,Xã Bình An,commune,mt.a,2020,2023\n"
        "mt.a.t,Thị trấn A,town,mt.a,2020,2023\n",
        encoding="utf-8",
    )
    loaded = run_cli(capsys, "units", "load", "--file", str(good))
    assert loaded.code == 0 and "Tỉnh Một" in loaded.out and "2 xã, phường, thị trấn" in loaded.out
    listed = json.loads(run_cli(capsys, "units", "list", "--year", "2023", "--format", "json").out)
    assert [(r["name"], r["parent"]) for r in listed] == [
        ("Thị trấn A", "Huyện A"),
        ("Xã Bình An", "Huyện A"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,kind\nz,Ấp Z,village\n", encoding="utf-8")
    refused = run_cli(capsys, "units", "load", "--file", str(bad))
    assert refused.code != 0 and "loại 'village' không hợp lệ" in refused.err
