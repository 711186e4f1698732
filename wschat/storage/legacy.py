"""Data left by wsChat versions that kept everything in an embedded FerretDB under ``<data dir>/db/``.

That FerretDB (``tools/ferretdb/``, SQLite backend) wrote one ``<database>.sqlite`` file per database
there, beside its ``ferretdb.lock``, ``ferretdb.addr`` and ``ferretdb.log``. This version does not read
those files: start-up stops and says how to copy them into the new store with ``wschat db copy --from
ferretdb://…``, which starts the FerretDB binary on them for the copy. Nothing here deletes or changes a
file; the operator moves the old files away once the copy is done, or keeps them.
"""

from __future__ import annotations

from pathlib import Path

from wschat.database_url import DatabaseUrl
from wschat.storage import StorageError

#: Where the old versions kept the embedded database, under the data dir.
LEGACY_DIR = "db"
#: The file name pattern of FerretDB's databases (its SQLite backend: one file per database).
FERRETDB_PATTERN = "*.sqlite"
#: The SQLite file of an installation that sets no WSCHAT_DATABASE_URL.
DEFAULT_FILE = "wschat.db"


def ferretdb_files(directory: Path) -> list[Path]:
    """FerretDB's database files in ``directory``, by name; none if it is missing."""
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.glob(FERRETDB_PATTERN) if path.is_file())


def check_no_ferretdb_files(data_dir: Path, database: DatabaseUrl | None = None) -> None:
    """Raises :class:`StorageError` if ``<data_dir>/db/`` holds an old embedded FerretDB's databases and
    the configured SQLite file does not exist yet: the message gives the ``wschat db copy`` command.

    ``database`` is the configured database (default: ``<data_dir>/wschat.db``). Once that file exists (the
    copy was made, or the operator chose to start afresh) the old files are no concern of start-up. With
    MongoDB configured they are not looked at either: the old versions used the embedded database only
    when no MongoDB was configured.
    """
    database = database or DatabaseUrl("sqlite", path=data_dir / DEFAULT_FILE)
    if database.kind != "sqlite":
        return
    assert database.path is not None
    old_dir = data_dir / LEGACY_DIR
    found = ferretdb_files(old_dir)
    if not found or database.path.exists():
        return
    names = ", ".join(path.name for path in found)
    raise StorageError(
        f"{old_dir} holds the data of an earlier wsChat version ({names}, FerretDB), and this version keeps "
        f"its data in SQLite at {database.path}, which does not exist yet. Copy the old data into it with "
        f"`wschat db copy --from ferretdb://{old_dir} --to sqlite://{database.path}`, then start again "
        "(nothing has been changed or deleted; remove the old directory once you no longer need it)"
    )
