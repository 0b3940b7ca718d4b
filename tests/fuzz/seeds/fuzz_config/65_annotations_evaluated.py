from typing import Any, Optional


def get_env(name: str, default: Optional[str] = None) -> str | None:
    return default


# Annotations that Python evaluates and that work: built-in generics, typing, PEP 604 unions.
CACHE_CONFIG: dict[str, Any] = {"CACHE_TYPE": "RedisCache", "CACHE_KEY_PREFIX": get_env("X", "typed_")}
RESULTS_BACKEND: Optional[Any] = None
CACHE_DEFAULT_TIMEOUT: int | float = 60


class Settings:
    name: str = "x"
    size: "int" = 3
