import os
import re

# re.match(...).group(n) to pick a URL apart.
REDIS_URL = os.getenv("REDIS_URL", "redis://redis:6379/0")
m = re.match(r"redis://([^:/]+):(\d+)/(\d+)", REDIS_URL)
REDIS_HOST = m.group(1)
REDIS_PORT = int(m.group(2))
REDIS_DB = int(m.group(3))
CACHE_CONFIG = {
    "CACHE_TYPE": "RedisCache",
    "CACHE_REDIS_HOST": REDIS_HOST,
    "CACHE_REDIS_PORT": REDIS_PORT,
    "CACHE_REDIS_DB": REDIS_DB,
    "CACHE_KEY_PREFIX": re.sub(r"[^a-z]", "_", "super-set") + "_",
}
NO_MATCH = re.match(r"^\d+$", "abc")
