"""``WSCHAT_SIGNUP``: off by default; on needs the operator's mail server; anything but on/off names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from wschat.config import load_settings
from wschat.errors import ConfigError

MAIL = {"WSCHAT_SMTP_URL": "smtp://mail.example:587", "WSCHAT_MAIL_FROM": "demo@wschat.example"}


def test_signup_is_off_unless_switched_on(tmp_path: Path) -> None:
    assert load_settings({"WSCHAT_DATA_DIR": str(tmp_path)}).signup is False
    on = load_settings({"WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_SIGNUP": "on"} | MAIL)
    assert on.signup is True
    off = load_settings({"WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_SIGNUP": "off"} | MAIL)
    assert off.signup is False


@pytest.mark.parametrize(
    ("env", "problem"),
    [({"WSCHAT_SIGNUP": "on"}, "WSCHAT_SMTP_URL"), ({"WSCHAT_SIGNUP": "maybe"} | MAIL, "on or off")],
)
def test_signup_switch_refuses_what_cannot_work(tmp_path: Path, env: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({"WSCHAT_DATA_DIR": str(tmp_path)} | env)
    assert refused.value.variable == "WSCHAT_SIGNUP"
    assert problem in str(refused.value)
