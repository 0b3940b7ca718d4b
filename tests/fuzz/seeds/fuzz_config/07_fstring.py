import os
REDIS_HOST = os.getenv("REDIS_HOST", "redis")
REDIS_PORT = os.getenv("REDIS_PORT", "6379")
REDIS_DB = 2
# f-strings with calls inside and adjacent literal concatenation.
CACHE_CONFIG = {
    "CACHE_TYPE": "RedisCache",
    "CACHE_REDIS_URL": f"redis://{REDIS_HOST.lower()}:{int(REDIS_PORT)}/"
    f"{REDIS_DB}",
    "CACHE_KEY_PREFIX": f"{'superset'}_{REDIS_DB:02d}_",
}
SQLALCHEMY_DATABASE_URI = f"postgresql+psycopg2://{os.getenv('DB_USER', 'superset')}:{os.getenv('DB_PASS', 'pw')}@db/superset"
