"""Production settings for the schema-fuzzing server (``make fuzz``).

Everything as in production, except a fast password hasher: the fuzzer logs
in and registers customers thousands of times, and the production hasher
spends a quarter of a second of CPU on each (which is its purpose).
Throttle rates come from the environment as usual; the fuzz script raises
them so that the fuzzer meets the API rather than the rate limits.
"""

from .prod import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
