"""Personal data never reaches a log line."""

import json

import pytest
import structlog

from services.logging import configure_logging


@pytest.fixture(autouse=True)
def restore_structlog():
    yield
    structlog.reset_defaults()  # the configured logger writes to pytest's captured stdout, closed after the test


def log_line(capsys, **fields) -> dict:
    configure_logging(service="test", fmt="json")
    structlog.get_logger().info("something.happened", **fields)
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_personal_fields_are_dropped_whatever_their_value(capsys):
    line = log_line(capsys, email="a@b.sa", mobile="0500000000", account_id="1000000008", description="x")
    assert {line[k] for k in ("email", "mobile", "account_id", "description")} == {"[redacted]"}


def test_ids_phones_and_emails_inside_free_text_are_masked(capsys):
    line = log_line(capsys, reason="iqama 2000000007 / ٢٠٠٠٠٠٠٠٠٧ phone +966 50 000 0000 mail a.b@example.sa")
    assert "2000000007" not in line["reason"] and "٢٠٠٠٠٠٠٠٠٧" not in line["reason"]
    assert "966" not in line["reason"] and "example.sa" not in line["reason"]


def test_tracking_numbers_and_counts_stay_readable(capsys):
    line = log_line(capsys, case="TW2600012349", applied=1500, reason="batch of 500")
    assert (line["case"], line["applied"], line["reason"]) == ("TW2600012349", 1500, "batch of 500")


def test_a_standard_library_traceback_is_masked_too(capsys):
    import logging

    configure_logging(service="test", fmt="json")
    try:
        raise ValueError("could not send to someone@example.sa on +966501234567 for 2000000006")
    except ValueError:
        logging.getLogger("uvicorn.error").exception("request for %s failed", "a.b@example.sa")
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["event"] == "request for [redacted] failed" and "Traceback" in line["exception"]
    for secret in ("example.sa", "966501234567", "2000000006"):
        assert secret not in json.dumps(line)
