from __future__ import annotations

import stat
from pathlib import Path

import pytest

from wschat.config import Secret, load_settings
from wschat.database_url import DatabaseUrl
from wschat.errors import ConfigError


def test_load_settings_defaults(tmp_path: Path) -> None:
    settings = load_settings({"WSCHAT_DATA_DIR": str(tmp_path)})
    assert settings.server.host == "127.0.0.1"
    assert settings.server.port == 8080
    assert settings.server.public_url == "http://127.0.0.1:8080"
    assert settings.database.url is None
    assert settings.database.mongo_database == "wschat"
    assert settings.database.sqlite_synchronous == "FULL"
    assert settings.database_url == DatabaseUrl("sqlite", path=tmp_path / "wschat.db")
    assert settings.redis_url is None
    assert settings.log_level == "info"
    chat = settings.chat  # the visitor limits, as README's table gives them
    assert (chat.visitor_message_burst, chat.visitor_messages_per_minute) == (10, 60)
    assert (chat.visitor_chats_per_hour, chat.visitor_contacts_per_hour, chat.visitor_calls_per_hour) == (
        20,
        10,
        10,
    )
    assert chat.sockets_per_visitor == 10
    assert settings.gc_tuning is True
    retention = settings.retention  # the operator's maxima, as README's table gives them
    assert (retention.chat_days, retention.ip_days, retention.mail_days) == (365, 30, 90)


def test_load_settings_reads_every_value(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "WSCHAT_HOST": "0.0.0.0",  # noqa: S104
            "WSCHAT_PORT": "9000",
            "WSCHAT_PUBLIC_URL": "https://chat.example.com/",
            "WSCHAT_MONGODB_URI": "mongodb://db.internal:27017/",
            "WSCHAT_MONGODB_DB": "chat_prod",
            "WSCHAT_DATA_DIR": str(tmp_path),
            "WSCHAT_SECRET_KEY": "k" * 40,
            "WSCHAT_REDIS_URL": "redis://127.0.0.1:6379/0",
            "WSCHAT_LOG_LEVEL": "WARNING",
            "WSCHAT_TOKEN_TTL": "600",
            "WSCHAT_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16, ::1",
            "WSCHAT_LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE": "40",
            "WSCHAT_LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR": "70",
            "WSCHAT_VISITOR_MESSAGE_BURST": "1000",
            "WSCHAT_VISITOR_MESSAGES_PER_MINUTE": "6000",
            "WSCHAT_VISITOR_CHATS_PER_HOUR": "5",
            "WSCHAT_VISITOR_CONTACTS_PER_HOUR": "6",
            "WSCHAT_VISITOR_CALLS_PER_HOUR": "7",
            "WSCHAT_SOCKETS_PER_VISITOR": "3",
            "WSCHAT_GC_TUNING": "off",
            "WSCHAT_RETENTION_CHAT_DAYS": "3650",
            "WSCHAT_RETENTION_IP_DAYS": "0",
            "WSCHAT_RETENTION_MAIL_DAYS": "14",
            "WSCHAT_RETENTION_AUDIT_DAYS": "30",
        }
    )
    assert settings.gc_tuning is False
    retention = settings.retention
    assert (retention.chat_days, retention.ip_days, retention.mail_days, retention.audit_days) == (
        3650,
        0,
        14,
        30,
    )
    assert settings.server.trusted_proxies == "10.0.0.1/32,192.168.0.0/16,::1/128"
    assert (
        settings.auth.login_failures_per_address_per_minute,
        settings.auth.login_failures_per_account_per_hour,
    ) == (
        40,
        70,
    )
    chat = settings.chat
    assert (chat.visitor_message_burst, chat.visitor_messages_per_minute) == (1000, 6000)
    assert (chat.visitor_chats_per_hour, chat.visitor_contacts_per_hour, chat.visitor_calls_per_hour) == (
        5,
        6,
        7,
    )
    assert chat.sockets_per_visitor == 3
    assert settings.server.port == 9000
    assert settings.server.public_url == "https://chat.example.com"
    assert settings.server.origin == "https://chat.example.com"
    assert settings.database.url == Secret("mongodb://db.internal:27017/")
    assert settings.database.mongo_database == "chat_prod"
    assert settings.database_url.kind == "mongodb"
    assert settings.database_url.describe() == "MongoDB db.internal:27017"
    assert settings.secret_key.reveal() == "k" * 40
    assert settings.log_level == "warning"
    assert settings.auth.token_ttl == 600
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WSCHAT_PORT", "eighty"),
        ("WSCHAT_PORT", "70000"),
        ("WSCHAT_PORT", "-1"),
        ("WSCHAT_PUBLIC_URL", "chat.example.com"),
        ("WSCHAT_MONGODB_URI", "postgres://localhost/"),
        ("WSCHAT_DATABASE_URL", "postgres://localhost/"),
        ("WSCHAT_DATABASE_URL", "sqlite://host/wschat.db"),
        ("WSCHAT_DATABASE_URL", "sqlite:relative.db"),
        ("WSCHAT_DATABASE_URL", "sqlite:///var/lib/wschat/"),
        ("WSCHAT_SQLITE_SYNCHRONOUS", "OFF"),
        ("WSCHAT_MONGODB_DB", "bad.name"),
        ("WSCHAT_SECRET_KEY", "short"),
        ("WSCHAT_REDIS_URL", "http://localhost"),
        ("WSCHAT_LOG_LEVEL", "loud"),
        ("WSCHAT_TOKEN_TTL", "5"),
        ("WSCHAT_TRUSTED_PROXIES", "10.0.0.1, proxy.internal"),
        ("WSCHAT_LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR", "0"),
        ("WSCHAT_VISITOR_MESSAGE_BURST", "0"),
        ("WSCHAT_VISITOR_MESSAGES_PER_MINUTE", "many"),
        ("WSCHAT_SOCKETS_PER_VISITOR", "10001"),
        ("WSCHAT_SOCKETS_PER_VISITOR", "0"),
        ("WSCHAT_VISITOR_CHATS_PER_HOUR", "0"),
        ("WSCHAT_VISITOR_CONTACTS_PER_HOUR", "1000001"),
        ("WSCHAT_VISITOR_CALLS_PER_HOUR", "-1"),
        ("WSCHAT_PRESENCE_DEBOUNCE_MS", "0.25"),
        ("WSCHAT_PRESENCE_DEBOUNCE_MS", "10001"),
        ("WSCHAT_PRESENCE_DEBOUNCE_MS", "soon"),
        ("WSCHAT_GC_TUNING", "sometimes"),
        ("WSCHAT_RETENTION_CHAT_DAYS", "0"),
        ("WSCHAT_RETENTION_CHAT_DAYS", "3651"),
        ("WSCHAT_RETENTION_CHAT_DAYS", "1y"),
        ("WSCHAT_RETENTION_IP_DAYS", "-1"),
        ("WSCHAT_RETENTION_IP_DAYS", "7.5"),
        ("WSCHAT_RETENTION_MAIL_DAYS", "0"),
        ("WSCHAT_RETENTION_AUDIT_DAYS", "29"),
        ("WSCHAT_RETENTION_AUDIT_DAYS", "3651"),
        ("WSCHAT_METRICS_ADDRESS", "9100"),
        ("WSCHAT_METRICS_ADDRESS", ":9100"),
        ("WSCHAT_METRICS_ADDRESS", "10.0.0.5:"),
        ("WSCHAT_METRICS_ADDRESS", "10.0.0.5:70000"),
        ("WSCHAT_METRICS_ADDRESS", "metrics host:9100"),
        ("WSCHAT_PROT", "8080"),
    ],
)
def test_load_settings_names_the_bad_variable(tmp_path: Path, variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({"WSCHAT_DATA_DIR": str(tmp_path), variable: value})
    assert info.value.variable == variable
    assert str(info.value).startswith(variable)


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("10.0.0.5:9100", ("10.0.0.5", 9100)),
        ("[::1]:9100", ("::1", 9100)),
        ("metrics.lan:0", ("metrics.lan", 0)),
    ],
)
def test_the_metrics_address_is_a_host_and_a_port(
    tmp_path: Path, value: str, address: tuple[str, int]
) -> None:
    settings = load_settings({"WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_METRICS_ADDRESS": value})
    assert settings.metrics_address == address
    assert load_settings({"WSCHAT_DATA_DIR": str(tmp_path)}).metrics_address is None


def test_the_presence_debounce_is_read_in_milliseconds(tmp_path: Path) -> None:
    assert load_settings({"WSCHAT_DATA_DIR": str(tmp_path)}).chat.presence_debounce_ms == 250
    settings = load_settings({"WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_PRESENCE_DEBOUNCE_MS": "40"})
    assert settings.chat.presence_debounce_ms == 40


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings({"WSCHAT_DATA_DIR": str(tmp_path)})
    path = tmp_path / "secret_key"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = load_settings({"WSCHAT_DATA_DIR": str(tmp_path)})
    assert first.secret_key == second.secret_key
    assert len(first.secret_key.reveal()) >= 32


def test_secrets_never_show_in_repr(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "WSCHAT_DATA_DIR": str(tmp_path),
            "WSCHAT_SECRET_KEY": "s3cr3t-" * 6,
            "WSCHAT_MONGODB_URI": "mongodb://user:hunter2pass@db/",
        }
    )
    text = repr(settings) + str(settings)
    assert "s3cr3t" not in text
    assert "hunter2pass" not in text


def test_config_error_does_not_echo_a_bad_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({"WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_SECRET_KEY": "tooshort!"})
    assert "tooshort" not in str(info.value)


def test_the_database_url_chooses_the_adapter(tmp_path: Path) -> None:
    sqlite = load_settings(
        {"WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_DATABASE_URL": "sqlite:///srv/chat/w.db"}
    )
    assert sqlite.database_url == DatabaseUrl("sqlite", path=Path("/srv/chat/w.db"))
    url = "mongodb+srv://wschat:pw@cluster.example.net/?w=majority"
    mongo = load_settings({"WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_DATABASE_URL": url})
    assert mongo.database_url == DatabaseUrl("mongodb", uri=url)
    assert "pw" not in mongo.database_url.describe()
    normal = load_settings({"WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_SQLITE_SYNCHRONOUS": "normal"})
    assert normal.database.sqlite_synchronous == "NORMAL"


def test_the_old_mongodb_setting_is_an_alias_and_may_not_disagree(tmp_path: Path) -> None:
    url = "mongodb://db.internal:27017/"
    alias = load_settings({"WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_MONGODB_URI": url})
    assert alias.database_url == DatabaseUrl("mongodb", uri=url)
    both = {"WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_MONGODB_URI": url, "WSCHAT_DATABASE_URL": url}
    assert load_settings(both).database_url == DatabaseUrl("mongodb", uri=url)
    with pytest.raises(ConfigError, match="WSCHAT_MONGODB_URI"):
        load_settings(both | {"WSCHAT_DATABASE_URL": "sqlite:///srv/chat/w.db"})
