"""The calendar rules with real Korean dates: weekends, lunar and substitute holidays, election
day, closures at each scope, support periods."""

from datetime import date

import pytest

from app.errors import RuleViolation
from programs.schedule import calendar_rules as rules
from tests.factories import CenterFactory, ClosureFactory, CountyFactory


def violation(day, centers):
    with pytest.raises(RuleViolation) as info:
        rules.check_day(day, [c.id for c in centers])
    return info.value


@pytest.mark.parametrize(
    "day, name",
    [
        (date(2026, 2, 16), "설날 전날"),
        (date(2026, 2, 17), "설날"),
        (date(2026, 2, 18), "설날 다음날"),
        (date(2026, 3, 2), "삼일절 대체 휴일"),  # 3·1 falls on a Sunday
        (date(2026, 5, 25), "부처님오신날 대체 휴일"),  # Buddha's Birthday 5-24 is a Sunday
        (date(2026, 6, 3), "지방선거일"),  # the local elections
        (date(2026, 8, 17), "광복절 대체 휴일"),
        (date(2026, 9, 24), "추석 전날"),
        (date(2026, 9, 25), "추석"),
        (date(2026, 10, 5), "개천절 대체 휴일"),  # 10-03 is a Saturday
        (date(2026, 10, 9), "한글날"),
        (date(2026, 12, 25), "기독탄신일"),
        (date(2027, 2, 8), "설날 다음날"),
        (date(2027, 2, 9), "설날 대체 휴일"),  # Seollal 2027-02-06..08 takes in a weekend
        (date(2027, 5, 13), "부처님오신날"),
        (date(2027, 9, 15), "추석"),
    ],
)
def test_korean_public_holidays_are_refused_by_name(day, name):
    center = CenterFactory()
    error = violation(day, [center])
    assert error.code == "holiday"
    assert error.details["holiday"] == name
    assert name in str(error.message)


def test_ordinary_weekdays_pass():
    center = CenterFactory()
    for day in (date(2026, 9, 23), date(2026, 10, 6), date(2026, 11, 24), date(2027, 2, 10)):
        rules.check_day(day, [center.id])


@pytest.mark.parametrize(
    "day", [date(2026, 9, 26), date(2026, 11, 28), date(2026, 11, 29), date(2027, 2, 6)]
)
def test_weekends_are_refused_first(day):
    error = violation(day, [CenterFactory()])
    assert error.code == "weekend"


def test_holiday_names_in_english_when_asked(app):
    with app.test_request_context(headers={"Accept-Language": "en"}, path="/api/v1/x"):
        assert rules.holiday_name(date(2026, 9, 25)) == "Chuseok"
    assert rules.holiday_name(date(2026, 9, 25)) == "추석"
    assert rules.holiday_name(date(2026, 9, 23)) is None


def test_closure_everywhere_closes_every_center():
    a, b = CenterFactory(), CenterFactory()
    ClosureFactory(date=date(2026, 11, 25), reason="임시공휴일")
    error = violation(date(2026, 11, 25), [a, b])
    assert error.code == "closed"
    assert error.details["reason"] == "임시공휴일"
    assert error.details["center_ids"] == sorted([a.id, b.id])
    assert rules.date_rule_violation(date(2026, 11, 25)).code == "closed"


def test_county_closure_only_for_that_countys_centers():
    bonghwa, buan = CountyFactory(name="봉화군"), CountyFactory(name="부안군")
    b1, b2 = CenterFactory(county=bonghwa), CenterFactory(county=buan)
    ClosureFactory(date=date(2026, 11, 25), county_id=bonghwa.id, reason="농번기 휴강")
    error = violation(date(2026, 11, 25), [b1, b2])
    assert error.code == "closed" and error.details["county_id"] == bonghwa.id
    assert error.details["center_ids"] == [b1.id]
    rules.check_day(date(2026, 11, 25), [b2.id])
    assert rules.date_rule_violation(date(2026, 11, 25)) is None


def test_center_closure_only_for_that_center():
    mine, other = CenterFactory(), CenterFactory()
    ClosureFactory(date=date(2026, 11, 25), center_id=mine.id, reason="경로당 수리")
    assert violation(date(2026, 11, 25), [mine, other]).details["center_ids"] == [mine.id]
    rules.check_day(date(2026, 11, 25), [other.id])
    rules.check_day(date(2026, 11, 26), [mine.id])


def test_support_period_must_cover_every_invited_center():
    inside = CenterFactory()  # 2025-10-01..2027-09-30
    ended = CenterFactory(county=CountyFactory(support=[(date(2025, 10, 1), date(2026, 9, 30))]))
    renewed = CenterFactory(
        county=CountyFactory(
            support=[(date(2025, 10, 1), date(2026, 9, 30)), (date(2026, 10, 1), date(2027, 9, 30))]
        )
    )
    day = date(2026, 11, 24)
    rules.check_day(day, [inside.id, renewed.id])
    error = violation(day, [inside, ended, renewed])
    assert error.code == "outside_support_period"
    assert error.details["center_ids"] == [ended.id]
    rules.check_day(date(2026, 9, 22), [ended.id])
    assert violation(date(2027, 10, 1), [inside]).code == "outside_support_period"


def test_default_centers_are_active_and_in_their_support_period():
    inside = CenterFactory()
    CenterFactory(active=False)
    CenterFactory(county=CountyFactory(support=[(date(2025, 10, 1), date(2026, 9, 30))]))
    CenterFactory(county=CountyFactory(support=[]))
    assert rules.default_center_ids(date(2026, 11, 24)) == [inside.id]


def test_days_of_a_week_name_holidays_and_closures():
    ClosureFactory(date=date(2026, 9, 23), reason="임시 휴관")
    days = rules.days_info(date(2026, 9, 21), date(2026, 9, 25))
    assert [d.holiday for d in days] == [None, None, None, "추석 전날", "추석"]
    assert [d.closed for d in days] == [False, False, True, False, False]
    assert days[2].closures[0].reason == "임시 휴관"
