"""Settings per environment: ``dev`` (default of manage.py), ``test``, ``prod``.

Every module reads the environment through :mod:`environ`; ``DATABASE_URL`` and
``REDIS_URL`` switch any of them to MySQL/MariaDB and Redis.
"""
