"""Progress figures for /tiendo, straight from the store."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from scheduler import services
from scheduler.clock import LOCAL_TZ, FixedClock
from scheduler.services import progress
from scheduler.store.models import Event

TODAY = date(2024, 5, 21)


def _event(session: Session, clock: FixedClock, title: str, on: date, **kwargs: object) -> Event:
    return services.add_event(session, title, on, clock.now(), LOCAL_TZ, **kwargs)  # type: ignore[arg-type]


def test_a_month_counts_done_open_and_overdue_items_by_their_deadline(
    session: Session, clock: FixedClock
) -> None:
    an = services.add_officer(session, "Nguyễn Văn An", clock.now(), unit="hc-dt")
    done = _event(session, clock, "Báo cáo tháng 5", date(2024, 5, 15), assignees=[an])
    _event(session, clock, "Kế hoạch giám sát", date(2024, 5, 10), assignees=[an])
    _event(session, clock, "Hội nghị sơ kết", date(2024, 5, 30), assignees=[an])
    _event(session, clock, "Báo cáo tháng 6", date(2024, 6, 14), assignees=[an])
    cancelled = _event(session, clock, "Việc đã hủy", date(2024, 5, 20), assignees=[an])
    cancelled.status = "cancelled"
    _event(session, clock, "Lễ Phật đản", date(2024, 5, 22), kind="observance")
    services.mark_done(session, done.id, clock.now())
    report = progress.month_progress(session, an, TODAY)
    assert report.mine == progress.Tally(done=1, open=1, overdue=1)
    assert report.mine.line() == "1/3 xong · 1 chưa đến hạn · 1 quá hạn"
    assert report.board is None  # an officer sees only their own figures


def test_leaders_see_each_unit_and_the_whole_board(session: Session, clock: FixedClock) -> None:
    an = services.add_officer(session, "Nguyễn Văn An", clock.now(), unit="hc-dt")
    binh = services.add_officer(session, "Trần Thị Bình", clock.now(), unit="dvcq-dttg")
    admin = services.add_officer(session, "Quản Trị", clock.now(), role="admin")
    _event(session, clock, "Báo cáo A", date(2024, 5, 31), assignees=[an])
    _event(session, clock, "Báo cáo B", date(2024, 5, 2), assignees=[binh])
    lines = progress.progress_lines(session, admin, TODAY)
    assert lines[0] == "📊 Tiến độ tháng 5/2024"
    assert "• Phòng Hành chính – Đoàn thể và các hội: 0/1 xong · 1 chưa đến hạn" in lines
    assert (
        "• Phòng Dân vận các cơ quan nhà nước – Dân tộc và Tôn giáo: 0/1 xong · 1 quá hạn" in lines
    )
    assert "• Toàn Ban: 0/2 xong · 1 chưa đến hạn · 1 quá hạn" in lines


def test_an_empty_month_says_so() -> None:
    assert progress.Tally().line() == "không có việc"
