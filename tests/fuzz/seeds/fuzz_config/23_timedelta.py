from datetime import timedelta
import datetime

# timedelta values and int(timedelta(...).total_seconds()).
CACHE_DEFAULT_TIMEOUT = int(timedelta(days=1).total_seconds())
CACHE_CONFIG = {
    "CACHE_TYPE": "RedisCache",
    "CACHE_DEFAULT_TIMEOUT": int(timedelta(hours=6).total_seconds()),
    "CACHE_KEY_PREFIX": "superset_",
}
DATA_CACHE_CONFIG = {
    "CACHE_TYPE": "RedisCache",
    "CACHE_DEFAULT_TIMEOUT": int(datetime.timedelta(weeks=1, minutes=30).total_seconds()),
    "CACHE_KEY_PREFIX": "data_",
}
THUMBNAIL_CACHE_CONFIG = {
    "CACHE_TYPE": "NullCache",
    "CACHE_DEFAULT_TIMEOUT": timedelta(days=7).total_seconds(),
}
SESSION_LIFETIME = timedelta(minutes=90) * 2
HALF = timedelta(seconds=1) / 2
