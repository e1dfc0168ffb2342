"""Parse semantic versions and order them by Semantic Versioning 2.0.0 precedence."""

from functools import cmp_to_key

IDENTIFIER_CHARS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")


def _number(part, text):
    if not part or not part.isascii() or not part.isdigit():
        raise ValueError(f"invalid numeric part {part!r} in {text!r}")
    if len(part) > 1 and part[0] == "0":
        raise ValueError(f"leading zero in {part!r} of {text!r}")
    return int(part)


def _identifier(part, text):
    if not part or not set(part) <= IDENTIFIER_CHARS:
        raise ValueError(f"invalid identifier {part!r} in {text!r}")
    if part.isdigit():
        return _number(part, text)
    return part


def parse_version(text):
    """Split ``MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`` into a tuple
    ``(major, minor, patch, prerelease, build)``; numeric pre-release identifiers become ints.
    Invalid versions raise ValueError."""
    version, plus, build = text.partition("+")
    core, dash, pre = version.partition("-")
    parts = core.split(".")
    if len(parts) != 3:
        raise ValueError(f"expected MAJOR.MINOR.PATCH in {text!r}")
    major, minor, patch = (_number(p, text) for p in parts)
    prerelease = tuple(_identifier(p, text) for p in pre.split(".")) if dash else ()
    build_ids = tuple(build.split(".")) if plus else ()
    for ident in build_ids:
        if not ident or not set(ident) <= IDENTIFIER_CHARS:
            raise ValueError(f"invalid build identifier {ident!r} in {text!r}")
    return major, minor, patch, prerelease, build_ids


def _compare_prerelease(a, b):
    if not a or not b:
        # A normal release ranks above any of its pre-releases.
        return (len(b) > 0) - (len(a) > 0)
    for x, y in zip(a, b):
        if x == y:
            continue
        x_numeric, y_numeric = isinstance(x, int), isinstance(y, int)
        if x_numeric and not y_numeric:
            return -1
        if y_numeric and not x_numeric:
            return 1
        return -1 if x < y else 1
    return (len(a) > len(b)) - (len(a) < len(b))


def compare(a, b):
    """-1, 0 or 1 as version string ``a`` ranks below, equal to or above ``b``; build
    metadata is ignored."""
    va, vb = parse_version(a), parse_version(b)
    if va[:3] != vb[:3]:
        return -1 if va[:3] < vb[:3] else 1
    return _compare_prerelease(va[3], vb[3])


def sort_versions(versions):
    """Versions sorted from lowest to highest precedence (stable for equal ones)."""
    return sorted(versions, key=cmp_to_key(compare))


def max_version(versions):
    """Highest version in the iterable, or None when it is empty."""
    best = None
    for version in versions:
        if best is None or compare(version, best) > 0:
            best = version
    return best
