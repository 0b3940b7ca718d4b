import json
import os

# JSON in environment variables, parsed with json.loads (key order kept).
FEATURE_FLAGS = json.loads(os.getenv("FEATURE_FLAGS_JSON", "{}"))
CACHE_CONFIG = json.loads(os.environ.get("CACHE_CONFIG_JSON", '{"CACHE_TYPE": "NullCache"}'))
try:
    BAD = json.loads("{not json}")
except json.JSONDecodeError:
    BAD = None
except ValueError:
    BAD = "value-error"
