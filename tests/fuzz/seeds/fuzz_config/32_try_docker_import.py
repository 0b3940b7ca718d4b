CACHE_DEFAULT_TIMEOUT = 300
DOCKER_OVERRIDE = "from-main"
# A sibling file evaluated into this namespace at this point.
try:
    import superset_config_docker
    from superset_config_docker import *  # noqa

    print(f"Loaded your Docker configuration at [{superset_config_docker.__file__}]")
except ImportError:
    print("Using default Docker config...")
CACHE_CONFIG = {"CACHE_TYPE": "RedisCache", "CACHE_KEY_PREFIX": DOCKER_OVERRIDE + "_"}
