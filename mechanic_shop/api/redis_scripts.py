"""Lua scripts run on Redis by their SHA1 (redis-py sends the text again
only after a Redis restart forgot it), registered once per client: kept on
the client object, so a script never outlives the client it was made for."""

_ATTR = "_shop_scripts"


def redis_client(cache):
    """The redis-py client behind a django-redis cache, None for any other
    cache (local memory)."""
    client = getattr(cache, "client", None)
    if client is None or not hasattr(client, "get_client"):
        return None
    return client.get_client(write=True)


def registered(client, source: str):
    scripts = client.__dict__.setdefault(_ATTR, {})
    script = scripts.get(source)
    if script is None:
        script = scripts[source] = client.register_script(source)
    return script
