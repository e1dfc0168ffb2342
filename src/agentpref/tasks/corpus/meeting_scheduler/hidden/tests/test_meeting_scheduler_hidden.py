import random

import pytest

from meeting_scheduler import ConflictError, Scheduler


def test_random_bookings_against_minute_grid():
    rng = random.Random(41)
    for _ in range(20):
        sched = Scheduler(["a"], day_start=0, day_end=60)
        taken = [False] * 60
        ids = {}
        for _ in range(40):
            if ids and rng.random() < 0.25:
                bid = rng.choice(sorted(ids))
                start, end = ids.pop(bid)
                sched.cancel(bid)
                for m in range(start, end):
                    taken[m] = False
                continue
            start = rng.randint(0, 59)
            end = rng.randint(start + 1, min(60, start + 15))
            free = not any(taken[start:end])
            assert sched.is_free("a", start, end) == free
            if free:
                ids[sched.book("a", start, end)] = (start, end)
                for m in range(start, end):
                    taken[m] = True
            else:
                with pytest.raises(ConflictError):
                    sched.book("a", start, end)
            gaps = []
            m = 0
            while m < 60:
                if taken[m]:
                    m += 1
                    continue
                g = m
                while m < 60 and not taken[m]:
                    m += 1
                gaps.append((g, m))
            assert sched.free_slots("a") == gaps
            assert sched.free_slots("a", min_length=5) == [g for g in gaps if g[1] - g[0] >= 5]


def test_booking_ids_unique_after_cancel():
    sched = Scheduler(["a"])
    first = sched.book("a", 600, 610)
    sched.cancel(first)
    second = sched.book("a", 600, 610)
    assert second != first


def test_find_room_with_no_rooms():
    assert Scheduler([]).find_room(600, 660) is None


def test_find_room_is_alphabetical_and_titles_survive_cancel():
    sched = Scheduler(["zeta", "alpha", "mid"])
    first = sched.book("alpha", 600, 660, "one")
    sched.book("alpha", 700, 760, "two")
    assert sched.find_room(630, 640) == "mid"
    sched.cancel(first)
    assert sched.bookings("alpha") == [(700, 760, "two")]
    assert sched.find_room(630, 640) == "alpha"
