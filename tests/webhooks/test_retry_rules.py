"""The retry rules as functions: the schedule with jitter, `Retry-After` (seconds or a date, capped), and the
address check made at delivery time."""

from __future__ import annotations

import datetime
import email.utils

import httpx
import msgspec
import pytest

from infra.problems import ProblemError
from infra.settings import get_settings
from webhooks.delivery import JITTER, RETRY_AFTER_CAP, RETRY_SCHEDULE, Outcome, next_attempt, retry_after
from webhooks.destination import resolve_destination

NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)


def answered(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers)


def test_retry_after_in_seconds_or_as_a_date_is_honoured_on_429_and_503_only_and_capped():
    assert retry_after(answered(429, **{"retry-after": "120"}), NOW) == datetime.timedelta(seconds=120)
    in_ten_minutes = email.utils.format_datetime(NOW + datetime.timedelta(minutes=10), usegmt=True)
    assert retry_after(answered(503, **{"retry-after": in_ten_minutes}), NOW) == datetime.timedelta(minutes=10)
    assert retry_after(answered(429, **{"retry-after": "864000"}), NOW) == RETRY_AFTER_CAP
    assert retry_after(answered(500, **{"retry-after": "120"}), NOW) is None
    assert retry_after(answered(429, **{"retry-after": "soon"}), NOW) is None
    assert retry_after(answered(429), NOW) is None


def test_the_schedule_is_followed_with_up_to_ten_percent_jitter_and_retry_after_replaces_it():
    settings = msgspec.structs.replace(get_settings(), webhooks_retry_scale=0.5)
    scale = settings.webhooks_retry_scale
    failed = Outcome(attempted_at=NOW, status_code=500)
    waits = {attempt - NOW for _ in range(50) if (attempt := next_attempt(1, failed, settings))}
    assert len(waits) > 40  # jittered: the waits differ

    assert all(RETRY_SCHEDULE[0] * scale <= wait <= RETRY_SCHEDULE[0] * scale * (1 + JITTER) for wait in waits)
    busy = Outcome(attempted_at=NOW, status_code=429, retry_after=datetime.timedelta(minutes=7))
    assert next_attempt(3, busy, settings) == NOW + datetime.timedelta(minutes=7) * scale
    assert next_attempt(len(RETRY_SCHEDULE) + 1, failed, settings) is None  # given up
    assert next_attempt(1, Outcome(attempted_at=NOW, status_code=410), settings) is None
    assert next_attempt(1, Outcome(attempted_at=NOW, status_code=204), settings) is None


async def test_a_url_resolving_to_a_private_address_is_refused_at_delivery_time():
    strict = msgspec.structs.replace(get_settings(), webhooks_allow_private=False)
    with pytest.raises(ProblemError) as refused:
        await resolve_destination("http://localhost:9/hook", strict)
    assert refused.value.detail_en == "The URL points at a private, loopback or link-local address"
    pinned = await resolve_destination("http://localhost:9/hook?x=1",
                                       msgspec.structs.replace(strict, webhooks_allow_private=True))
    assert (pinned.url, pinned.host, pinned.host_header, pinned.address) == (
        "http://127.0.0.1:9/hook?x=1", "localhost", "localhost:9", "127.0.0.1")
