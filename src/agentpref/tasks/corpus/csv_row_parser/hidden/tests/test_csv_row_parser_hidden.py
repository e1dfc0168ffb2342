import csv
import io
import random

from csv_row_parser import format_row, parse_row


def test_random_round_trip():
    rng = random.Random(23)
    alphabet = 'ab ,"\n;'
    for _ in range(200):
        fields = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5))) for _ in range(rng.randint(1, 5))]
        assert parse_row(format_row(fields)) == fields
        assert parse_row(format_row(fields, delimiter=";"), delimiter=";") == fields


def test_matches_stdlib_csv_on_random_rows():
    rng = random.Random(6)
    for _ in range(100):
        fields = ["".join(rng.choice('xy,"') for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(1, 4))]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(fields)
        assert parse_row(buffer.getvalue()) == fields


def test_quoted_field_at_end():
    assert parse_row('a,"b"') == ["a", "b"]
    assert parse_row('a,""') == ["a", ""]


def test_only_delimiters():
    assert parse_row(";;;", delimiter=";") == ["", "", "", ""]
