CACHE_DEFAULT_TIMEOUT = 300


def forever(n):
    return forever(n + 1)


# Unbounded recursion raises RecursionError, which Python would not catch here either.
CACHE_CONFIG = forever(0)
