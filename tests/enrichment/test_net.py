"""normalize_ip, anonymize_ip, client_ip (trusted proxies and spoofing)."""

from __future__ import annotations

import ipaddress

import pytest

from enrichment.net import anonymize_ip, classify_ip, client_ip, normalize_ip


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50.89.98.90", "50.89.98.90"),
        (" 50.89.98.90\n", "50.89.98.90"),
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::ffff:50.89.98.90", "50.89.98.90"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("203.0.113.9:8080", "203.0.113.9"),
        ("fe80::1%eth0", "fe80::1"),
        (ipaddress.ip_address("1.2.3.4"), "1.2.3.4"),
        ("256.1.1.1", None),
        ("1.2.3", None),
        ("not an ip", None),
        ("", None),
        (None, None),
        (1234, None),
        (["1.2.3.4"], None),
        ("1" * 1000, None),
    ],
)
def test_normalize_ip(value: object, expected: str | None) -> None:
    assert normalize_ip(value) == expected


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("50.89.98.90", "50.89.98.0"),
        ("::ffff:50.89.98.90", "50.89.98.0"),
        ("2001:db8:1234:5678:9abc:def0:1234:5678", "2001:db8:1234::"),
        ("2a01:4f8:1:2::3", "2a01:4f8:1::"),
        ("garbage", ""),
    ],
)
def test_anonymize_ip_zeroes_the_last_octet_or_80_bits(ip: str, expected: str) -> None:
    assert anonymize_ip(ip) == expected


@pytest.mark.parametrize(
    ("ip", "private", "reserved"),
    [
        ("10.1.2.3", True, False),
        ("172.16.0.1", True, False),
        ("192.168.1.1", True, False),
        ("100.64.0.1", True, False),
        ("fd12::1", True, False),
        ("127.0.0.1", False, True),
        ("::1", False, True),
        ("169.254.1.1", False, True),
        ("fe80::1", False, True),
        ("224.0.0.251", False, True),
        ("ff02::1", False, True),
        ("192.0.2.1", False, True),
        ("198.51.100.1", False, True),
        ("203.0.113.1", False, True),
        ("2001:db8::1", False, True),
        ("0.0.0.0", False, True),
        ("240.0.0.1", False, True),
        ("50.89.98.90", False, False),
        ("2a01:4f8::1", False, False),
    ],
)
def test_private_and_reserved_ranges(ip: str, private: bool, reserved: bool) -> None:
    assert classify_ip(ip)[1:] == (private, reserved)  # type: ignore[index]


TRUSTED = ["10.0.0.0/8", "2001:db8:ffff::1"]


@pytest.mark.parametrize(
    ("remote", "xff", "trusted", "expected"),
    [
        ("198.51.100.7", None, TRUSTED, "198.51.100.7"),
        ("10.0.0.2", "50.89.98.90", TRUSTED, "50.89.98.90"),
        ("10.0.0.2", "50.89.98.90, 10.0.0.3", TRUSTED, "50.89.98.90"),
        # a client-written (spoofed) first entry is ignored: the proxy appended the real one
        ("10.0.0.2", "1.1.1.1, 50.89.98.90", TRUSTED, "50.89.98.90"),
        ("10.0.0.2", "1.1.1.1, 50.89.98.90, 10.9.9.9", TRUSTED, "50.89.98.90"),
        # XFF from an untrusted peer is never believed
        ("50.89.98.90", "1.1.1.1", TRUSTED, "50.89.98.90"),
        ("50.89.98.90", "1.1.1.1", [], "50.89.98.90"),
        ("2001:db8:ffff::1", "2a01:4f8::5", TRUSTED, "2a01:4f8::5"),
        ("10.0.0.2", "[2a01:4f8::5]:1234", TRUSTED, "2a01:4f8::5"),
        ("10.0.0.2", "50.89.98.90:4711", TRUSTED, "50.89.98.90"),
        # only trusted hops: the leftmost one is the best we know
        ("10.0.0.2", "10.0.0.5, 10.0.0.4", TRUSTED, "10.0.0.5"),
        # a garbled hop stops the walk at the last verified address
        ("10.0.0.2", "50.89.98.90, garbage", TRUSTED, "10.0.0.2"),
        ("10.0.0.2", "", TRUSTED, "10.0.0.2"),
        ("10.0.0.2", "50.89.98.90", ["not-a-cidr", "10.0.0.0/8"], "50.89.98.90"),
        (None, "50.89.98.90", TRUSTED, None),
        ("garbage", "50.89.98.90", TRUSTED, None),
        ("::ffff:10.0.0.2", "50.89.98.90", TRUSTED, "50.89.98.90"),
    ],
)
def test_client_ip(remote: str | None, xff: str | None, trusted: list[str], expected: str) -> None:
    assert client_ip(remote, xff, trusted) == expected


def test_repeated_addresses_answer_the_same_from_the_parse_cache() -> None:
    """Addresses are parsed once and then served from a cache: a repeat (a proxy, a
    returning visitor) must answer exactly as the first parse did, garbage included."""
    for _ in range(3):
        assert client_ip("::ffff:10.0.0.2", None, []) == "10.0.0.2"
        assert client_ip("[2001:db8::1]:443", None, []) == "2001:db8::1"
        assert client_ip("garbage", None, []) is None
        assert normalize_ip(" 203.0.113.9:8080 ") == "203.0.113.9"
        assert classify_ip("10.1.2.3") == ("10.1.2.3", True, False)
    assert normalize_ip(ipaddress.ip_address("::ffff:1.2.3.4")) == "1.2.3.4"  # no text, no cache
