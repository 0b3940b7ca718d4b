# Cache classes imported from cachelib and Flask-Caching: calls are recorded, never run.
from cachelib import SimpleCache
from cachelib.redis import RedisCache
from cachelib.file import FileSystemCache
from flask_caching.backends.rediscache import RedisCache as FCRedisCache
import cachelib

RESULTS_BACKEND = RedisCache(host="redis", port=6379, db=3, key_prefix="superset_results")
OTHER_RESULTS = FCRedisCache("redis", 6379, None, 4, 600, "sr_")
FILE_RESULTS = FileSystemCache("/tmp/sqllab", threshold=1000)
SIMPLE = SimpleCache()
QUALIFIED = cachelib.redis.RedisCache(host="h")
CACHE_CONFIG = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_HOST": "redis", "CACHE_REDIS_DB": 3, "CACHE_KEY_PREFIX": "superset_"}
