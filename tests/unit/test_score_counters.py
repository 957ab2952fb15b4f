"""The rollup counters of scores: what a score adds, what a replacement adds (its difference, in
integer millionths that never drift), and the day read back."""

from __future__ import annotations

from grounded_core.scores.counters import DayScores, changed, counted, micros


def test_numbers_and_yes_no_are_summed_and_counted_categories_counted_by_value() -> None:
    assert counted("q", 0.75) == {"score#q#sum": 750_000, "score#q#n": 1}
    assert counted("ok", True) == {"score#ok#sum": 1_000_000, "score#ok#n": 1}
    assert counted("ok", False) == {"score#ok#sum": 0, "score#ok#n": 1}
    assert counted("mood", "angry #1") == {"score#mood#cat#angry #1": 1}


def test_a_replacement_adds_its_difference_only() -> None:
    assert changed("q", 0.5, 0.9) == {"score#q#sum": 400_000}
    assert changed("q", 0.1 * 3, 0.3) == {}  # 0.30000000000000004 and 0.3 are the same millionths
    assert changed("ok", True, False) == {"score#ok#sum": -1_000_000}
    assert changed("mood", "calm", "angry") == {"score#mood#cat#angry": 1, "score#mood#cat#calm": -1}


def test_millionths_round_half_to_even_and_keep_big_numbers() -> None:
    assert micros(0.0000005) == 0
    assert micros(0.0000015) == 2
    assert micros(-2.5) == -2_500_000
    assert micros(1e20) == 10**26


def test_a_day_reads_back_its_averages_and_categories() -> None:
    item = {"traces": 4, "score#q#sum": 1_500_000, "score#q#n": 2, "score#mood#cat#calm": 3,
            "score#mood#cat#angry": 0, "score#a:b.c#n": 1, "score#a:b.c#sum": 0}  # fmt: skip
    day = DayScores(item)
    assert day.sums == {"q": 1.5, "a:b.c": 0.0}
    assert day.counts == {"q": 2, "a:b.c": 1}
    assert day.categories == {"mood": {"calm": 3}}  # a category replaced away is not shown
    assert day.names() == {"q", "a:b.c", "mood"}
