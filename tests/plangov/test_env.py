import pytest
from django.core.exceptions import ImproperlyConfigured

from plangov.env import database_from_url, env_bool, env_int, env_list, env_str


def test_it_reads_booleans_and_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "off")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG='ture' is not a boolean"):
        env_bool("X_FLAG", False)


def test_it_reads_whole_numbers_with_a_floor(monkeypatch):
    monkeypatch.delenv("X_DAYS", raising=False)
    assert env_int("X_DAYS", 5) == 5
    monkeypatch.setenv("X_DAYS", "five")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("X_DAYS", 5)
    monkeypatch.setenv("X_DAYS", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("X_DAYS", 5, minimum=0)


def test_it_requires_a_value_without_a_default(monkeypatch):
    monkeypatch.delenv("X_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_SECRET must be set"):
        env_str("X_SECRET")
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,,")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


def test_it_parses_postgres_and_sqlite_urls():
    pg = database_from_url("postgres://plan%20gov:s3cret@db.local:5433/plangov?sslmode=require")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "plan gov", "s3cret", "db.local", "5433", "plangov"
    )
    assert pg["OPTIONS"] == {"sslmode": "require", "prepare_threshold": 2}
    lite = database_from_url("sqlite:////tmp/x.sqlite3")
    assert lite["NAME"] == "/tmp/x.sqlite3"
    assert lite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in lite["OPTIONS"]["init_command"]


def test_prepared_statements_are_on_unless_turned_off(monkeypatch):
    url = "postgres://plangov@db.local/plangov"
    assert database_from_url(url + "?prepare_threshold=5")["OPTIONS"] == {"prepare_threshold": 5}
    with pytest.raises(ImproperlyConfigured, match="prepare_threshold must be a whole number"):
        database_from_url(url + "?prepare_threshold=soon")
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    assert database_from_url(url)["OPTIONS"] == {"prepare_threshold": None}


@pytest.mark.parametrize(
    "url, message",
    [
        ("mysql://root@localhost/x", "scheme 'mysql' is not supported"),
        ("postgres://localhost", "names no database"),
        ("postgres://localhost:99999999/x", "bad port"),
        ("sqlite://", "names no SQLite file"),
    ],
)
def test_it_refuses_bad_database_urls(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_url(url)


@pytest.mark.django_db
def test_it_runs_sqlite_in_wal_mode_with_immediate_transactions():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("this run uses PostgreSQL; the SQLite run checks this")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
