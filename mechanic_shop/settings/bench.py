"""The benchmark server (``make bench``): production settings, plus one route
that only exists here, ``/bench/ceiling/``, the framework ceiling every
figure is compared with (see bench/README.md). Never deploy this module.
"""

from .prod import *

ROOT_URLCONF = "mechanic_shop.bench_urls"
