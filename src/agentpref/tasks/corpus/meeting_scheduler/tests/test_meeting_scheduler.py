import pytest

from meeting_scheduler import ConflictError, Scheduler


@pytest.fixture
def sched():
    return Scheduler(["blue", "red"], day_start=540, day_end=1020)


def test_invalid_day():
    with pytest.raises(ValueError):
        Scheduler(["a"], day_start=600, day_end=600)


def test_default_opening_hours():
    sched = Scheduler(["a"])
    assert sched.free_slots("a") == [(540, 1020)]
    sched.book("a", 540, 1020)
    with pytest.raises(ValueError):
        sched.book("a", 539, 545)
    with pytest.raises(ValueError):
        sched.book("a", 1015, 1021)


def test_one_minute_gap_is_free(sched):
    sched.book("red", 540, 600)
    sched.book("red", 601, 1020)
    assert sched.free_slots("red") == [(600, 601)]
    assert sched.is_free("red", 600, 601)


def test_book_and_list(sched):
    first = sched.book("blue", 600, 660, "standup")
    second = sched.book("blue", 540, 570, "early")
    assert first != second
    assert sched.bookings("blue") == [(540, 570, "early"), (600, 660, "standup")]
    assert sched.bookings("red") == []


@pytest.mark.parametrize("start, end", [(590, 610), (610, 650), (650, 700), (580, 700), (600, 660)])
def test_overlap_conflicts(sched, start, end):
    sched.book("blue", 600, 660)
    with pytest.raises(ConflictError):
        sched.book("blue", start, end)
    assert len(sched.bookings("blue")) == 1


def test_back_to_back_allowed(sched):
    sched.book("blue", 600, 660)
    sched.book("blue", 660, 720)
    sched.book("blue", 540, 600)
    assert [b[:2] for b in sched.bookings("blue")] == [(540, 600), (600, 660), (660, 720)]


def test_other_room_unaffected(sched):
    sched.book("blue", 600, 660)
    sched.book("red", 600, 660)
    assert len(sched.bookings("red")) == 1


@pytest.mark.parametrize("start, end", [(600, 600), (700, 650), (530, 600), (1000, 1030)])
def test_invalid_times(sched, start, end):
    with pytest.raises(ValueError):
        sched.book("blue", start, end)


def test_whole_day_booking(sched):
    sched.book("blue", 540, 1020)
    assert sched.free_slots("blue") == []


def test_unknown_room(sched):
    with pytest.raises(KeyError):
        sched.book("green", 600, 660)
    with pytest.raises(KeyError):
        sched.free_slots("green")


def test_cancel(sched):
    booking = sched.book("blue", 600, 660)
    sched.cancel(booking)
    assert sched.bookings("blue") == []
    sched.book("blue", 630, 690)
    with pytest.raises(KeyError):
        sched.cancel(booking)


def test_free_slots(sched):
    assert sched.free_slots("red") == [(540, 1020)]
    sched.book("red", 600, 660)
    sched.book("red", 690, 720)
    sched.book("red", 720, 1020)
    assert sched.free_slots("red") == [(540, 600), (660, 690)]


def test_free_slots_min_length(sched):
    sched.book("red", 570, 600)
    sched.book("red", 630, 1000)
    assert sched.free_slots("red", min_length=30) == [(540, 570), (600, 630)]
    assert sched.free_slots("red", min_length=20) == [(540, 570), (600, 630), (1000, 1020)]
    assert sched.free_slots("red", min_length=31) == []


def test_free_slots_at_day_edges(sched):
    sched.book("blue", 540, 600)
    sched.book("blue", 900, 1020)
    assert sched.free_slots("blue") == [(600, 900)]


def test_find_room(sched):
    assert sched.find_room(600, 660) == "blue"
    sched.book("blue", 600, 660)
    assert sched.find_room(630, 700) == "red"
    assert sched.find_room(660, 700) == "blue"
    sched.book("red", 600, 700)
    assert sched.find_room(650, 670) is None
