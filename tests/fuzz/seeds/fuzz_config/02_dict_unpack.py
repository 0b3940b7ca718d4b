# ** unpacking: order matters, later keys win; duplicate keys in one display.
BASE = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_HOST": "redis", "CACHE_KEY_PREFIX": "superset_", "CACHE_DEFAULT_TIMEOUT": 300}
CACHE_CONFIG = {**BASE, "CACHE_KEY_PREFIX": "meta_"}
DATA_CACHE_CONFIG = {"CACHE_KEY_PREFIX": "ignored_", **BASE, "CACHE_KEY_PREFIX": "data_", "CACHE_DEFAULT_TIMEOUT": 3600}
THUMBNAIL_CACHE_CONFIG = {**BASE, **{"CACHE_KEY_PREFIX": "thumb_", "CACHE_REDIS_DB": 2}}
