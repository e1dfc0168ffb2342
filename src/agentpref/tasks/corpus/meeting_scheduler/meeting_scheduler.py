"""Room booking for one day. Times are minutes since midnight; a booking covers [start, end)."""


class ConflictError(Exception):
    pass


class Scheduler:
    def __init__(self, rooms, day_start=9 * 60, day_end=17 * 60):
        if day_start >= day_end:
            raise ValueError("the day must start before it ends")
        self.day_start = day_start
        self.day_end = day_end
        self._rooms = {room: [] for room in rooms}  # room -> sorted [(start, end, booking id)]
        self._bookings = {}  # booking id -> (room, start, end, title)
        self._next_id = 1

    def _check(self, room, start, end):
        if room not in self._rooms:
            raise KeyError(f"unknown room {room!r}")
        if start >= end:
            raise ValueError("a meeting must start before it ends")
        if start < self.day_start or end > self.day_end:
            raise ValueError("a meeting must lie within opening hours")

    def is_free(self, room, start, end):
        self._check(room, start, end)
        return all(end <= b_start or start >= b_end for b_start, b_end, _ in self._rooms[room])

    def book(self, room, start, end, title=""):
        """Book ``room`` for [start, end); returns the booking id. ConflictError on overlap."""
        if not self.is_free(room, start, end):
            raise ConflictError(f"{room} is taken between {start} and {end}")
        booking_id = self._next_id
        self._next_id += 1
        self._rooms[room].append((start, end, booking_id))
        self._rooms[room].sort()
        self._bookings[booking_id] = (room, start, end, title)
        return booking_id

    def cancel(self, booking_id):
        """Cancel a booking (KeyError for an unknown id)."""
        room, start, end, _ = self._bookings.pop(booking_id)
        self._rooms[room].remove((start, end, booking_id))

    def bookings(self, room):
        """``(start, end, title)`` of the room's bookings in time order."""
        return [(start, end, self._bookings[bid][3]) for start, end, bid in self._rooms[room]]

    def free_slots(self, room, min_length=1):
        """Free ``(start, end)`` gaps of the room within opening hours, at least ``min_length`` long."""
        if room not in self._rooms:
            raise KeyError(f"unknown room {room!r}")
        slots = []
        cursor = self.day_start
        for start, end, _ in self._rooms[room]:
            if start - cursor >= min_length:
                slots.append((cursor, start))
            cursor = max(cursor, end)
        if self.day_end - cursor >= min_length:
            slots.append((cursor, self.day_end))
        return slots

    def find_room(self, start, end):
        """Alphabetically first room free for [start, end), or None."""
        for room in sorted(self._rooms):
            if self.is_free(room, start, end):
                return room
        return None
