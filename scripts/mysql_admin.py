"""Create and drop the scratch databases of the scripts and the benchmark on
the server a ``mysql://`` URL names (the URL's own database is not used to
connect, so it need not exist yet)."""

from urllib.parse import urlsplit


def execute(url: str, *statements: str) -> None:
    import MySQLdb

    parts = urlsplit(url)
    connection = MySQLdb.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
        connect_timeout=5,
    )
    try:
        cursor = connection.cursor()
        for statement in statements:
            cursor.execute(statement)
    finally:
        connection.close()


def recreate_database(url: str, name: str) -> None:
    """Drop ``name`` if it exists and create it empty (utf8mb4)."""
    execute(
        url,
        f"DROP DATABASE IF EXISTS `{name}`",
        f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
    )


def drop_database(url: str, name: str) -> None:
    execute(url, f"DROP DATABASE IF EXISTS `{name}`")
