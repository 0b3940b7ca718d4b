import os

# Comprehensions, lambdas, nested functions and closures.
PURPOSES = ["meta", "data", "filter", "explore"]
PREFIXES = {p: f"superset_{p}_" for p in PURPOSES}
DBS = [i for i in range(4) if i != 2]
make = lambda prefix, db=0: {"CACHE_TYPE": "RedisCache", "CACHE_KEY_PREFIX": prefix, "CACHE_REDIS_DB": db}


def counter():
    count = 0

    def inc():
        nonlocal count
        count += 1
        return count

    return inc


inc = counter()
inc()
CALLS = inc()
CACHE_CONFIG = make(PREFIXES["meta"], DBS[0])
DATA_CACHE_CONFIG = make(PREFIXES["data"], db=DBS[-1])
FILTER_STATE_CACHE_CONFIG = make(PREFIXES["filter"])
TOTAL = sum(len(p) for p in PURPOSES)
ANY_LONG = any(len(p) > 6 for p in PURPOSES)
SORTED = sorted(PURPOSES, key=lambda p: (len(p), p))
