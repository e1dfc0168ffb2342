import random

from semver_compare import compare, sort_versions


def reference_key(text):
    core, _, pre = text.split("+")[0].partition("-")
    numbers = tuple(int(p) for p in core.split("."))
    if not pre:
        return numbers, (1,)
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return numbers, (0, ids)


def random_version(rng):
    core = ".".join(str(rng.randint(0, 3)) for _ in range(3))
    if rng.random() < 0.5:
        ids = [rng.choice(["alpha", "beta", "rc", "0", "1", "2", "10", "a-b"]) for _ in range(rng.randint(1, 3))]
        core += "-" + ".".join(ids)
    if rng.random() < 0.2:
        core += "+meta"
    return core


def test_random_pairs_against_reference():
    rng = random.Random(41)
    for _ in range(300):
        a, b = random_version(rng), random_version(rng)
        ka, kb = reference_key(a), reference_key(b)
        assert compare(a, b) == (ka > kb) - (ka < kb), (a, b)


def test_random_sort_against_reference():
    rng = random.Random(43)
    for _ in range(30):
        versions = [random_version(rng) for _ in range(10)]
        assert [reference_key(v) for v in sort_versions(versions)] == sorted(reference_key(v) for v in versions)


def test_large_numbers():
    assert compare("1.0.99999999999999999999", "1.0.100000000000000000000") == -1


def test_hyphen_in_build():
    assert compare("1.0.0+build-1", "1.0.0") == 0
