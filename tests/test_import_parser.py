"""The 2024 plan of the Ban Dân vận Tỉnh ủy Tây Ninh, read and understood."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars.kinds import PLAN_KINDS
from calendars.plan_parser import (
    DuePolicy,
    ParsedPlan,
    PlanItem,
    PlanParseError,
    classify,
    find_dates,
    find_references,
    make_title,
    parse_plan,
)
from calendars.plan_reader import Paragraph, read_document
from calendars.text import fold

SEED = Path(__file__).resolve().parent.parent / "data" / "plans" / "2024_100-KH-BDVTU.txt"


@pytest.fixture(scope="module")
def plan() -> ParsedPlan:
    return parse_plan(read_document(SEED).paragraphs)


def find(plan: ParsedPlan, words: str, month: int | None = None) -> PlanItem:
    hits = [
        i for i in plan.items if fold(words) in fold(i.text) and (month is None or i.month == month)
    ]
    assert len(hits) == 1, [h.text for h in hits]
    return hits[0]


def test_the_2024_plan_is_identified_by_its_number_year_and_title(plan: ParsedPlan) -> None:
    assert plan.number == "100-KH/BDVTU"
    assert plan.year == 2024
    assert plan.title == "Kế hoạch công tác dân vận năm 2024"


def test_the_2024_programme_holds_102_items_31_tham_muu_and_71_chuyen_mon(
    plan: ParsedPlan,
) -> None:
    assert len(plan.items) == 102
    assert plan.count("tham-muu") == 31
    assert plan.count("chuyen-mon") == 71


def test_every_month_and_section_has_its_count_and_february_tham_muu_none(
    plan: ParsedPlan,
) -> None:
    counts = Counter((i.month, i.section) for i in plan.items)
    tham_muu = [counts[(m, "tham-muu")] for m in range(1, 13)]
    chuyen_mon = [counts[(m, "chuyen-mon")] for m in range(1, 13)]
    assert tham_muu == [2, 0, 2, 1, 1, 4, 6, 6, 3, 3, 2, 1]
    assert chuyen_mon == [10, 5, 5, 4, 5, 5, 5, 6, 7, 5, 8, 6]


def test_december_sections_numbered_11_1_still_belong_to_december(plan: ParsedPlan) -> None:
    item = find(plan, "họp Ban Chỉ đạo định kỳ quý IV năm 2024")
    assert (item.month, item.section) == (12, "tham-muu")
    assert find(plan, "Chương trình công tác năm 2025").month == 12


def test_items_broken_by_a_page_break_are_joined(plan: ParsedPlan) -> None:
    item = find(plan, "Thông qua kết quả giám sát 03 năm thực hiện Chỉ thị số 06-CT/TU")
    assert "đối với Ban Thường vụ Thị uỷ Hoà Thành, Ban Thường vụ Huyện uỷ Châu Thành" in item.text
    item = find(plan, "Công văn chỉ đạo sơ kết 05 năm thực hiện Kết luận số 65-KL/TW")
    assert "Nghị quyết số 24-NQ/TW, ngày 12/3/2003" in item.text
    assert item.references == ("65-KL/TW", "24-NQ/TW")
    item = find(plan, "hướng dẫn báo cáo kết quả lãnh đạo, chỉ đạo việc thực hiện Quy chế")
    assert "và Luật Thực hiện Dân chủ ở cơ sở đối với Ban Thường vụ Thị uỷ Trảng Bàng" in item.text
    item = find(plan, "Báo cáo tổng kết năm")
    assert "ở vùng đồng bào dân tộc thiểu số" in item.text


def test_two_items_on_one_line_are_split(plan: ParsedPlan) -> None:
    october = [i for i in plan.items if i.month == 10 and i.section == "chuyen-mon"]
    assert october[-2].text.endswith("tôn giáo, dân tộc (nếu có).")
    assert october[-2].conditional
    assert october[-1].text.startswith("Thông báo tình hình thông tin báo cáo")
    assert october[-1].kind == "bulletin"


def test_no_recipient_signature_or_general_part_line_became_an_item(plan: ParsedPlan) -> None:
    for item in plan.items:
        folded = fold(item.text)
        assert "noi nhan" not in folded
        assert "luu van thu" not in folded
        assert "truong ban" not in folded or "lanh dao" in folded
        assert "tren day la" not in folded
        assert not folded.startswith(("tiep tuc thuc hien", "phat huy tot phong trao"))
    assert all("¹" not in item.text for item in plan.items)


def test_explicit_solar_dates_and_ranges_are_read(plan: ParsedPlan) -> None:
    chi_ton = find(plan, "Đại lễ Đức Chí Tôn")
    assert (chi_ton.start, chi_ton.end, chi_ton.due) == (date(2024, 2, 17),) * 3
    assert chi_ton.kind == "ceremony"
    chol = find(plan, "Chol Chnam Thmay")
    assert (chol.start, chol.end) == (date(2024, 4, 14), date(2024, 4, 16))
    assert chol.kind == "visit"
    vu_lan = find(plan, "Dự lễ Vu Lan")
    assert vu_lan.start == vu_lan.end == date(2024, 8, 18)


def test_the_lunar_sen_don_ta_range_becomes_1_to_3_october_2024(plan: ParsedPlan) -> None:
    item = find(plan, "Sen Đôn-ta")
    assert (item.start, item.end) == (date(2024, 10, 1), date(2024, 10, 3))
    assert item.kind == "plan"
    assert item.observance == "sen-don-ta"
    # A plan for the visit is due five working days before it, within its month.
    assert item.due == date(2024, 9, 24)


def test_an_anniversary_takes_the_plan_year_date(plan: ParsedPlan) -> None:
    item = find(plan, "kỷ niệm 94 năm Ngày truyền thống")
    assert item.start == item.end == item.due == date(2024, 10, 15)


def test_items_link_to_the_observance_they_are_about(plan: ParsedPlan) -> None:
    links = {
        "Đại lễ Đức Chí Tôn": "duc-chi-ton",
        "Chol Chnam Thmay": "chol-chnam-thmay",
        "Phật đản": "phat-dan",
        "Dự lễ Vu Lan": "vu-lan",
        "Kế hoạch thăm, chúc mừng chức sắc Cao Đài": "hoi-yen-dieu-tri-cung",
        "Giáng sinh": "giang-sinh",
        "Hoàng khai Đại đạo": "khai-dao",
    }
    for words, key in links.items():
        assert find(plan, words).observance == key, words


def test_an_observance_item_without_a_date_takes_the_observance_date(plan: ParsedPlan) -> None:
    item = find(plan, "tổ chức đoàn dự Đại lễ Hội Yến Diêu Trì Cung")
    assert item.observance == "hoi-yen-dieu-tri-cung"
    assert item.start == item.end == item.due == date(2024, 9, 17)


def test_a_plan_for_a_visit_is_due_before_the_visit(plan: ParsedPlan) -> None:
    item = find(plan, "Kế hoạch thăm, chúc mừng chức sắc Công giáo và Tin Lành")
    assert item.start == date(2024, 12, 24)
    assert item.due == date(2024, 12, 17)
    phat_dan = find(plan, "Phật đản")
    assert (phat_dan.start, phat_dan.due) == (date(2024, 5, 22), date(2024, 5, 15))


def test_an_item_without_a_date_is_due_on_the_last_working_day_of_its_month(
    plan: ParsedPlan,
) -> None:
    may = find(plan, "Báo cáo công tác dân vận tháng 5/2024")
    # A point on its deadline, not a bar over the month.
    assert may.start == may.end == may.due == date(2024, 5, 31)
    # 30/3/2024 is a Saturday, 31/8 a Saturday (and 2/9 a holiday follows).
    assert find(plan, "Báo cáo quý I/2024").due == date(2024, 3, 29)
    assert find(plan, "Báo cáo công tác dân vận tháng 8/2024").due == date(2024, 8, 30)


def test_the_january_chuc_tet_visit_is_due_in_january_before_tet(plan: ParsedPlan) -> None:
    visit = find(plan, "Mời Thường trực Tỉnh uỷ thăm, chúc Tết Nguyên đán Giáp Thìn", month=1)
    # Tết Giáp Thìn is 10/02/2024; the visit stands in January's programme.
    assert visit.due == date(2024, 1, 31)
    assert visit.start == visit.end == visit.due
    assert visit.observance == "tet-nguyen-dan"  # the link is kept, for the description
    drafting = find(plan, "Kế hoạch tổ chức đoàn thăm, chúc mừng các tổ chức tôn giáo", month=1)
    assert drafting.due == drafting.start == date(2024, 1, 31)
    assert drafting.observance == "tet-nguyen-dan"


def test_no_due_date_leaves_its_month_unless_the_text_dates_it(plan: ParsedPlan) -> None:
    for item in plan.items:
        if (item.due.year, item.due.month) != (plan.year, item.month):
            assert find_dates(item.text, plan.year, item.month) is not None, item.text
    # The only such item of 2024: a plan for a visit that its text dates in October is
    # due in September, its own month (the dates of the text stay as they are).
    sen_don_ta = find(plan, "Sen Đôn-ta")
    assert (sen_don_ta.month, sen_don_ta.due.month, sen_don_ta.start) == (9, 9, date(2024, 10, 1))


def test_no_undated_task_spans_its_month(plan: ParsedPlan) -> None:
    for item in plan.items:
        if find_dates(item.text, plan.year, item.month) is None:
            assert item.start == item.end, item.text
            assert item.due in (item.start, item.end), item.text


def test_a_visit_before_an_observance_early_next_month_is_due_at_this_months_end() -> None:
    paragraphs = [
        Paragraph(t)
        for t in (
            "Số 9-KH/BDV",
            "Tháng 9",
            "- Thăm, chúc mừng già làng, người uy tín nhân dịp lễ Sen Đôn-ta.",
        )
    ]
    (visit,) = parse_plan(paragraphs, year=2024).items
    # Sen Đôn-ta 2024 is 01-03/10: after September, so the visit is due by 30/09.
    assert visit.observance == "sen-don-ta"
    assert visit.start == visit.end == visit.due == date(2024, 9, 30)


def test_a_configured_month_day_moves_to_a_working_day() -> None:
    plan = parse_plan(read_document(SEED).paragraphs, policy=DuePolicy(month_day=25))
    item = next(i for i in plan.items if i.text.startswith("Báo cáo công tác dân vận tháng 5"))
    assert item.due == date(2024, 5, 24)  # the 25th is a Saturday


def test_references_are_normalised_document_numbers(plan: ParsedPlan) -> None:
    assert find(plan, "Kết luận số 102-KL/TW", month=8).references == ("102-KL/TW", "158-TB/TW")
    assert find(plan, "Quyết định số 23-QĐ/TW", month=7).references == ("23-QĐ/TW", "1116-QĐ/TU")
    assert find(plan, "Chỉ thị số 39-CT/TW", month=10).references == ("39-CT/TW",)
    assert "08-ĐA/TU" in find(plan, "Báo cáo tổng kết năm").references
    december = find(plan, "Các báo cáo năm 2024")
    assert december.references == ("05-CT/TU", "06-CT/TU", "08-ĐA/TU", "217-QĐ/TW", "218-QĐ/TW")
    assert find_references("Quyết định 217-QĐ/TW, Quy định 124 - QĐ / TW") == (
        "217-QĐ/TW",
        "124-QĐ/TW",
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Kế hoạch thăm, chúc mừng chức sắc Phật giáo nhân dịp Đại lễ Phật đản.", "plan"),
        ("Thông qua kết quả giám sát 03 năm thực hiện Chỉ thị số 06-CT/TU.", "supervision"),
        ("Xây dựng kế hoạch giám sát; quyết định thành lập đoàn giám sát.", "supervision"),
        ("Tổ chức kiểm tra việc thực hiện Đề án số 08-ĐA/TU.", "inspection"),
        ("Báo cáo sơ kết 03 năm thực hiện Chỉ thị số 05-CT/TU.", "report"),
        ("Báo cáo kết quả theo dõi, giám sát các nội dung sau Hội nghị tiếp xúc.", "report"),
        ("Tham mưu Thường trực Tỉnh ủy họp Ban Chỉ đạo định kỳ quý III năm 2024.", "meeting"),
        ("Mời Thường trực Tỉnh uỷ dự Hội nghị toàn quốc tổng kết công tác dân vận.", "meeting"),
        ("Công văn chỉ đạo sơ kết 05 năm thực hiện Chỉ thị số 39-CT/TW.", "directive"),
        ("Thăm già làng, người uy tín tiêu biểu dân tộc Khmer.", "visit"),
        ("Dự lễ Vu Lan tại các điểm Chùa và Tịnh xá trong tỉnh.", "ceremony"),
        ("Phối hợp các ngành liên quan tổ chức đoàn dự Đại lễ Đức Chí Tôn.", "ceremony"),
        ("Thông báo tình hình thông tin báo cáo của Mặt trận Tổ quốc tháng 5/2024.", "bulletin"),
        ("Tổ chức đoàn chức sắc tôn giáo đi tham quan, về nguồn.", "other"),
        ("Lập dự toán kinh phí Ban Chỉ đạo 37 tỉnh năm 2025.", "other"),
    ],
)
def test_the_kind_follows_the_telling_words(text: str, kind: str) -> None:
    assert classify(text) == kind


def test_kinds_of_the_2024_plan_cover_the_domain(plan: ParsedPlan) -> None:
    kinds = Counter(i.kind for i in plan.items)
    assert set(kinds) == set(PLAN_KINDS)
    assert kinds["bulletin"] == 10  # every month but November and December


def test_titles_are_short_readable_and_cut_at_a_word(plan: ParsedPlan) -> None:
    for item in plan.items:
        assert 0 < len(item.title) <= 120
        assert item.title.count("(") == item.title.count(")")
    assert find(plan, "Công văn chỉ đạo sơ kết 03 năm thực hiện Chỉ thị số 05-CT/TU").title == (
        "Công văn chỉ đạo sơ kết 03 năm thực hiện Chỉ thị số 05-CT/TU"
    )
    long = make_title("Báo cáo " + "rất dài " * 40)
    assert long.endswith("…") and len(long) <= 120 and not long[:-1].endswith(" ")


def test_uids_are_unique_and_stable_across_readings(plan: ParsedPlan) -> None:
    uids = [i.uid for i in plan.items]
    assert len(set(uids)) == len(uids)
    again = parse_plan(read_document(SEED).paragraphs)
    assert [i.uid for i in again.items] == uids


def test_identical_items_in_one_section_get_distinct_uids() -> None:
    paragraphs = [
        Paragraph(t)
        for t in (
            "Số 7-KH/BDV",
            "Tháng 5:",
            "b) Nhiệm vụ chuyên môn của Ban",
            "- Báo cáo công tác dân vận tháng 5/2024.",
            "- Báo cáo công tác dân vận tháng 5/2024.",
        )
    ]
    plan = parse_plan(paragraphs)
    assert len({i.uid for i in plan.items}) == 2
    assert plan.items[1].uid.endswith("-1@lichct")


def test_uids_ignore_case_diacritic_spelling_and_spacing() -> None:
    def uid(text: str) -> str:
        paragraphs = [Paragraph(t) for t in ("Số 7-KH/BDV", "Tháng 3", f"- {text}")]
        return parse_plan(paragraphs, year=2024).items[0].uid

    assert uid("Báo cáo quý I/2024 của Tỉnh uỷ.") == uid("Báo cáo  quý I/2024 của Tỉnh ủy")


def test_year_given_explicitly_overrides_the_year_of_the_document(plan: ParsedPlan) -> None:
    other = parse_plan(read_document(SEED).paragraphs, year=2025)
    assert other.year == 2025
    assert other.items[0].due.year == 2025
    assert other.items[0].start.year == 2025
    assert other.items[0].uid != plan.items[0].uid


def test_a_document_without_month_headings_is_not_a_programme() -> None:
    with pytest.raises(PlanParseError, match="Không tìm thấy chương trình"):
        parse_plan([Paragraph("KẾ HOẠCH"), Paragraph("- Báo cáo công tác dân vận.")])


def lines(*texts: str) -> list[Paragraph]:
    return [Paragraph(t) for t in texts]


def test_a_wrapped_line_starting_with_a_dash_continues_the_item() -> None:
    plan = parse_plan(
        lines(
            "Số 3-KH/BDV",
            "THÁNG 6",
            "- Báo cáo kết quả hoạt động của Mặt trận Tổ quốc và các tổ chức chính trị",
            "- xã hội tỉnh 6 tháng đầu năm 2024.",
            "- Báo cáo công tác dân vận tháng 6/2024.",
        )
    )
    assert [i.text for i in plan.items] == [
        "Báo cáo kết quả hoạt động của Mặt trận Tổ quốc và các tổ chức chính trị "
        "- xã hội tỉnh 6 tháng đầu năm 2024.",
        "Báo cáo công tác dân vận tháng 6/2024.",
    ]


def test_a_wrapped_line_starting_with_thang_is_not_a_month_heading() -> None:
    plan = parse_plan(
        lines(
            "Số 3-KH/BDV",
            "Tháng 11:",
            "- Báo cáo công tác nội chính, phòng chống tham nhũng",
            "tháng 12/2024.",
            "- Báo cáo công tác dân vận tháng 11/2024.",
        ),
        year=2024,
    )
    assert [i.month for i in plan.items] == [11, 11]
    assert plan.items[0].text.endswith("tham nhũng tháng 12/2024.")


def test_unbulleted_items_start_on_each_finished_sentence() -> None:
    plan = parse_plan(
        lines(
            "Số 3-KH/BDV",
            "Tháng 4",
            "Báo cáo công tác dân vận tháng 4/2024.",
            "Tổ chức giám sát việc thực hiện Chỉ thị số 05-CT/TU đối với Đảng ủy",
            "xã Tân Đông.",
            "Hướng dẫn các xã, phường thực hiện dân chủ ở cơ sở.",
        ),
        year=2024,
    )
    assert [i.kind for i in plan.items] == ["report", "supervision", "other"]
    assert plan.items[1].text.endswith("đối với Đảng ủy xã Tân Đông.")


_SHAPES = st.sampled_from(
    [
        "Tháng 3:",
        "THÁNG 12",
        "2. Tháng 02/2025",
        "1.1. Tham mưu Thường trực Tỉnh ủy, Ban Thường vụ Tỉnh ủy",
        "b) Nhiệm vụ chuyên môn của Ban:",
        "- Không có.",
        "- Báo cáo công tác dân vận tháng 3/2024.",
        "• Kế hoạch thăm, chúc mừng nhân dịp lễ Sen Đôn-ta (29/8-01/9 âm lịch).",
        "+ Dự lễ Vu Lan (ngày 18/8/2024).",
        "- Tổ chức kỷ niệm (15/10/1930-15/10/2024). - Thông báo tình hình (nếu có).",
        "vụ Thị uỷ Hoà Thành, Đảng ủy phường 1.",
        "(ngày 31/02/2024)",
        "(30/12 - 02/01 âm lịch)",
        "Nơi nhận:",
        "K/T TRƯỞNG BAN",
        "¹ Chú thích cuối trang.",
        "33b",
        "",
    ]
)


@given(st.lists(st.one_of(_SHAPES, st.text(max_size=40)), max_size=30))
@settings(max_examples=150, deadline=None)
def test_any_document_parses_to_valid_items_or_says_why_not(texts: list[str]) -> None:
    paragraphs = [Paragraph(" ".join(t.split())) for t in texts if t.strip()]
    try:
        plan = parse_plan(paragraphs, year=2024)
    except PlanParseError:
        return
    for item in plan.items:
        assert 1 <= item.month <= 12
        assert item.section in ("tham-muu", "chuyen-mon")
        assert item.start <= item.end
        assert 0 < len(item.title) <= 120
        assert item.text and not item.text.startswith(("- ", "• "))
    assert len({i.uid for i in plan.items}) == len(plan.items)


def test_a_campaign_over_several_months_is_linked_as_numbered_stages(plan: ParsedPlan) -> None:
    planned = find(plan, "Xây dựng kế hoạch giám sát", month=3)
    carried = find(plan, "Tổ chức giám sát 03 năm thực hiện Chỉ thị số 06-CT/TU", month=4)
    passed = find(plan, "Thông qua kết quả giám sát 03 năm thực hiện Chỉ thị số 06-CT/TU")
    assert planned.chain is not None
    assert planned.chain == carried.chain == passed.chain
    assert [(i.step, i.steps) for i in (planned, carried, passed)] == [(1, 3), (2, 3), (3, 3)]
    # The same steps for another document and other targets are another chain.
    other = find(plan, "Tổ chức giám sát kết quả 03 năm thực hiện Chỉ thị số 05-CT/TU")
    assert other.chain not in (None, planned.chain) and other.step == 2
    # A directive to review a document, then the review report.
    directive = find(plan, "Công văn chỉ đạo sơ kết 05 năm thực hiện Chỉ thị số 39-CT/TW")
    report = find(plan, "Báo cáo sơ kết 05 năm thực hiện Chỉ thị số 39-CT/TW")
    assert directive.chain == report.chain and (directive.step, report.step) == (1, 2)
    assert find(plan, "Báo cáo công tác dân vận tháng 01/2024").chain is None


def test_headings_in_capitals_sub_points_and_a_wrapped_signature_word() -> None:
    plan = parse_plan(
        lines(
            "KẾ HOẠCH CÔNG TÁC DÂN VẬN NĂM 2026",
            "Số: 05-KH/BDV",
            "THÁNG 02 NĂM 2026",
            "THAM MƯU THƯỜNG TRỰC TỈNH ỦY",
            "- Không có.",
            "NHIỆM VỤ CHUYÊN MÔN CỦA BAN",
            "- Các báo cáo quý I/2026:",
            "+ công tác dân vận;",
            "+ công tác tôn giáo.",
            "- Giám sát việc thực hiện Chỉ thị số 05-CT/TU đối với đồng chí Phó",
            "Bí thư Đảng ủy xã Tân Đông.",
            "PHÓ TRƯỞNG BAN",
            "- Dòng này sau chữ ký không phải là việc.",
        )
    )
    assert plan.title == "Kế hoạch công tác dân vận năm 2026"
    assert (plan.year, plan.number) == (2026, "05-KH/BDV")
    assert [(i.section, i.text) for i in plan.items] == [
        ("chuyen-mon", "Các báo cáo quý I/2026: + công tác dân vận; + công tác tôn giáo."),
        (
            "chuyen-mon",
            "Giám sát việc thực hiện Chỉ thị số 05-CT/TU đối với đồng chí Phó "
            "Bí thư Đảng ủy xã Tân Đông.",
        ),
    ]


def test_another_numbered_part_of_a_month_is_read_as_the_boards_own_work() -> None:
    plan = parse_plan(
        lines(
            "Số 9-KH/BDV",
            "3. Tháng 3/2025",
            "3.1. Tham mưu Ban Thường vụ Tỉnh ủy",
            "- Báo cáo quý I/2025.",
            "3.2. Công tác phối hợp",
            "- Phối hợp tổ chức ra quân làm công tác dân vận.",
        )
    )
    assert [(i.section, i.text) for i in plan.items] == [
        ("tham-muu", "Báo cáo quý I/2025."),
        ("chuyen-mon", "Phối hợp tổ chức ra quân làm công tác dân vận."),
    ]


def test_an_item_in_capitals_is_kept_but_a_running_header_is_not() -> None:
    plan = parse_plan(
        lines(
            "SỐ: 21-KH/BDVHU",
            "Tháng 1",
            "- BÁO CÁO CÔNG TÁC DÂN VẬN THÁNG 01/2025.",
            "- Báo cáo kết quả giám sát đối với Đảng ủy",
            "TỈNH ỦY TÂY NINH",
            "xã Tân Đông.",
        ),
        year=2025,
    )
    assert plan.number == "21-KH/BDVHU"
    assert [(i.kind, i.text) for i in plan.items] == [
        ("report", "BÁO CÁO CÔNG TÁC DÂN VẬN THÁNG 01/2025."),
        ("report", "Báo cáo kết quả giám sát đối với Đảng ủy xã Tân Đông."),
    ]
