import os
from urllib.parse import quote, quote_plus, urlparse
import urllib.parse

REDIS_URL = os.getenv("REDIS_URL", "redis://:pw@redis:6379/3")
_url = urlparse(REDIS_URL)
REDIS_HOST = _url.hostname
REDIS_PORT = _url.port
REDIS_PASSWORD = _url.password
REDIS_DB = int(_url.path.lstrip("/") or 0)
CACHE_CONFIG = {
    "CACHE_TYPE": "RedisCache",
    "CACHE_REDIS_HOST": REDIS_HOST,
    "CACHE_REDIS_PORT": REDIS_PORT,
    "CACHE_REDIS_PASSWORD": REDIS_PASSWORD,
    "CACHE_REDIS_DB": REDIS_DB,
    "CACHE_KEY_PREFIX": "superset_",
}
DB_PASSWORD = quote_plus("p@ss word/+")
SQLALCHEMY_DATABASE_URI = "postgresql://superset:" + quote("p@ss/w", safe="") + "@db/superset"
SCHEME = urllib.parse.urlsplit("https://x.example:8443/a?b=1#c").scheme
