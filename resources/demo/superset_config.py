# superset_config.py of CacheScope's embedded demo.
#
# The demo builds its caches from this file the way Superset does: CacheScope reads it without
# running it, and the Config page shows it with its caches and findings. Every cache is
# in-process (SimpleCache, so no server is needed); the SQL Lab results backend is a
# FileSystemCache under $SUPERSET_HOME, which the demo points at its own temporary directory.
import os
from datetime import timedelta

from cachelib.file import FileSystemCache

SUPERSET_HOME = os.environ.get("SUPERSET_HOME", "/app/superset_home")

SECRET_KEY = os.environ.get("SUPERSET_SECRET_KEY", "demo-only-change-me")

# The metadata database: SQLite beside the demo's results (chart, dataset and database cache
# timeouts live there).
SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(SUPERSET_HOME, "superset.db")

# Superset's own default for caches that set none.
CACHE_DEFAULT_TIMEOUT = int(timedelta(days=1).total_seconds())


def in_process_cache(timeout, threshold):
    """One SimpleCache: per process, like every Superset worker's own. Flask-Caching builds it
    from CACHE_THRESHOLD and CACHE_DEFAULT_TIMEOUT only: it has no key prefix."""
    return {
        "CACHE_TYPE": "SimpleCache",
        "CACHE_DEFAULT_TIMEOUT": timeout,
        "CACHE_THRESHOLD": threshold,
    }


# Metadata (dashboards, datasets) and chart data: short timeouts, the data cache kept small so
# its threshold shows on the hit rate.
CACHE_CONFIG = in_process_cache(300, 2000)
DATA_CACHE_CONFIG = in_process_cache(600, 400)

# Dashboard filter state and Explore form data, as long-lived as Superset's metastore defaults.
FILTER_STATE_CACHE_CONFIG = in_process_cache(int(timedelta(days=90).total_seconds()), 1000)
EXPLORE_FORM_DATA_CACHE_CONFIG = in_process_cache(int(timedelta(days=7).total_seconds()), 1000)

THUMBNAIL_CACHE_CONFIG = in_process_cache(int(timedelta(days=7).total_seconds()), 200)

# SQL Lab results of asynchronous queries: pickled msgpack+zlib payloads in files.
RESULTS_BACKEND = FileSystemCache(
    os.path.join(SUPERSET_HOME, "sqllab"),
    threshold=500,
    default_timeout=CACHE_DEFAULT_TIMEOUT,
)
RESULTS_BACKEND_USE_MSGPACK = True

FEATURE_FLAGS = {
    "THUMBNAILS": True,
    "DASHBOARD_CACHE": True,
}
