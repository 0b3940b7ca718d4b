# A missing colon and comma join adjacent literals: the prefix silently swallows the next key.
CACHE_CONFIG = {
    "CACHE_TYPE": "RedisCache",
    "CACHE_KEY_PREFIX": "broken_"
    "CACHE_REDIS_HOST",
}
