CACHE_CONFIG = {"CACHE_TYPE": "RedisCache"}
# An endless loop ends with a located error.
while True:
    pass
