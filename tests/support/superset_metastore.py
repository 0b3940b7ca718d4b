#!/usr/bin/python3
"""A port of Superset's SupersetMetastoreCache, for CacheScope's byte-compatibility tests.

Superset itself cannot be installed here (PyPI is unreachable), so the code path that reads and
writes metastore cache rows is ported line for line from these files at tag 4.1.0 of a public
mirror of apache/superset (CybercentreCanada/superset; unchanged in substance from 3.0.0 to
5.0.0rc2):
  superset/extensions/metastore_cache.py   SupersetMetastoreCache (factory, get_key, _get_expiry,
                                           set, add, get, has, delete)
  superset/daos/key_value.py               KeyValueDAO (get_entry, get_value, delete_entry,
                                           delete_expired_entries, create_entry, upsert_entry)
  superset/key_value/types.py              JsonKeyValueCodec, PickleKeyValueCodec
  superset/key_value/utils.py              get_uuid_namespace (md5); the sha256 variant of recent
                                           master is UUID(bytes=sha256(seed).digest()[:16])
  superset/key_value/models.py             KeyValueEntry.is_expired
The ORM session is replaced by SQLAlchemy Core statements on the same table, declared by
superset_schema.py with sqlalchemy_utils' UUIDType as Superset's models do, so the stored bytes
(uuid, value, DATETIME text on SQLite) are the ones Superset's own code writes.

Usage: superset_metastore.py URI --prefix P [--codec json|pickle] [--hash md5|sha256]
                             [--default-timeout N] [--family F]
Operations come as a JSON list on stdin, results go to stdout as a JSON list, one per operation:
  {"op": "set"|"add", "key": K, "value": V, "timeout": N|null}  -> true/false
  {"op": "get"|"has"|"delete"|"uuid", "key": K}  -> the value as JSON text ("null": none) / bool / bool / uuid
  {"op": "row", "key": K}        -> the stored row: value (base64), expires_on, created_on, changed_on
  {"op": "expire", "key": K, "expires_on": "YYYY-MM-DD HH:MM:SS" | null}   (test set-up)
  {"op": "encode", "value": V}   -> base64 of codec.encode(V)
Values use CacheScope's tagged JSON (README "Values as JSON"); "value_json" instead of "value" gives
that JSON as text, which keeps the order of an object's members (dict order is part of the bytes).
"""

import argparse
import base64
import json
import math
import os
import pickle
import sys
import uuid
from datetime import datetime, timedelta
from hashlib import md5, sha256
from uuid import UUID, uuid3

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import superset_schema  # noqa: E402

RESOURCE = "superset_metastore_cache"  # KeyValueResource.METASTORE_CACHE


# superset/key_value/types.py
class JsonKeyValueCodec:
    def encode(self, value):
        return bytes(json.dumps(value), encoding="utf-8")

    def decode(self, value):
        return json.loads(value)


class PickleKeyValueCodec:
    def encode(self, value):
        return pickle.dumps(value)

    def decode(self, value):
        return pickle.loads(value)


# superset/key_value/utils.py
def get_uuid_namespace(seed, algorithm="md5"):
    if algorithm == "sha256":
        return UUID(bytes=sha256(seed.encode("utf-8")).digest()[:16])
    md5_obj = md5()
    md5_obj.update(seed.encode("utf-8"))
    return UUID(md5_obj.hexdigest())


class KeyValueDAO:
    """superset/daos/key_value.py over Core statements; each method runs in the caller's transaction."""

    def __init__(self, conn, table):
        self.conn, self.t = conn, table

    def get_entry(self, resource, key):
        t = self.t
        return self.conn.execute(sa.select(t).where(t.c.resource == resource, t.c.uuid == key).limit(1)).first()

    def get_value(self, resource, key, codec):
        entry = self.get_entry(resource, key)
        # KeyValueEntry.is_expired: expires_on is not None and expires_on <= datetime.now()
        if not entry or (entry.expires_on is not None and entry.expires_on <= datetime.now()):
            return None
        return codec.decode(entry.value)

    def delete_entry(self, resource, key):
        if self.get_entry(resource, key):
            t = self.t
            self.conn.execute(sa.delete(t).where(t.c.resource == resource, t.c.uuid == key))
            return True
        return False

    def delete_expired_entries(self, resource):
        t = self.t
        self.conn.execute(sa.delete(t).where(t.c.resource == resource, t.c.expires_on <= datetime.now()))

    def create_entry(self, resource, value, codec, key=None, expires_on=None):
        self.conn.execute(sa.insert(self.t).values(resource=resource, value=codec.encode(value),
                                                   created_on=datetime.now(), created_by_fk=None,
                                                   expires_on=expires_on, uuid=key))

    def upsert_entry(self, resource, value, codec, key, expires_on=None):
        if self.get_entry(resource, key):
            t = self.t
            self.conn.execute(sa.update(t).where(t.c.resource == resource, t.c.uuid == key).values(
                value=codec.encode(value), expires_on=expires_on, changed_on=datetime.now(), changed_by_fk=None))
            return
        self.create_entry(resource, value, codec, key, expires_on)


class SupersetMetastoreCache:
    """superset/extensions/metastore_cache.py; the session commit/rollback is the engine's transaction."""

    def __init__(self, engine, table, namespace, codec, default_timeout=300):
        self.engine, self.table = engine, table
        self.default_timeout = default_timeout
        self.namespace = namespace
        self.codec = codec

    @classmethod
    def factory(cls, engine, table, config, hash_algorithm="md5"):
        seed = config.get("CACHE_KEY_PREFIX", "")
        codec = config.get("CODEC") or PickleKeyValueCodec()
        return cls(engine, table, get_uuid_namespace(seed, hash_algorithm), codec,
                   config.get("CACHE_DEFAULT_TIMEOUT", 300))

    def get_key(self, key):
        return uuid3(self.namespace, key)

    def _normalize_timeout(self, timeout):  # cachelib BaseCache
        if timeout is None:
            timeout = self.default_timeout
        return timeout

    def _get_expiry(self, timeout):
        timeout = self._normalize_timeout(timeout)
        if timeout is not None and timeout > 0:
            return datetime.now() + timedelta(seconds=timeout)
        return None

    def set(self, key, value, timeout=None):
        with self.engine.begin() as conn:
            KeyValueDAO(conn, self.table).upsert_entry(RESOURCE, value, self.codec, self.get_key(key),
                                                       self._get_expiry(timeout))
        return True

    def add(self, key, value, timeout=None):
        try:
            with self.engine.begin() as conn:
                dao = KeyValueDAO(conn, self.table)
                dao.delete_expired_entries(RESOURCE)
                dao.create_entry(RESOURCE, value, self.codec, self.get_key(key), self._get_expiry(timeout))
            return True
        except SQLAlchemyError:
            return False

    def get(self, key):
        with self.engine.connect() as conn:
            return KeyValueDAO(conn, self.table).get_value(RESOURCE, self.get_key(key), self.codec)

    def has(self, key):
        entry = self.get(key)
        if entry:
            return True
        return False

    def delete(self, key):
        with self.engine.begin() as conn:
            return KeyValueDAO(conn, self.table).delete_entry(RESOURCE, self.get_key(key))


# CacheScope's tagged JSON for Python values (README "Values as JSON").
def enc(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v if abs(v) < 2**53 else {"__int__": str(v)}
    if isinstance(v, float):
        if math.isnan(v):
            return {"__float__": "nan"}
        if math.isinf(v):
            return {"__float__": "inf" if v > 0 else "-inf"}
        return v
    if isinstance(v, bytes):
        return {"__bytes__": base64.b64encode(v).decode()}
    if isinstance(v, bytearray):
        return {"__bytearray__": base64.b64encode(bytes(v)).decode()}
    if isinstance(v, list):
        return [enc(x) for x in v]
    if isinstance(v, tuple):
        return {"__tuple__": [enc(x) for x in v]}
    if isinstance(v, frozenset):
        return {"__frozenset__": [enc(x) for x in v]}
    if isinstance(v, set):
        return {"__set__": [enc(x) for x in v]}
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v):
            return {k: enc(x) for k, x in v.items()}
        return {"__dict__": [[enc(k), enc(x)] for k, x in v.items()]}
    raise TypeError(f"cannot encode {type(v).__name__}")


def dec(j):
    if isinstance(j, list):
        return [dec(x) for x in j]
    if not isinstance(j, dict):
        return j
    if len(j) == 1:
        (tag, body), = j.items()
        if tag == "__int__":
            return int(body)
        if tag == "__float__":
            return float(body)
        if tag == "__bytes__":
            return base64.b64decode(body)
        if tag == "__bytearray__":
            return bytearray(base64.b64decode(body))
        if tag == "__tuple__":
            return tuple(dec(x) for x in body)
        if tag == "__set__":
            return {dec(x) for x in body}
        if tag == "__frozenset__":
            return frozenset(dec(x) for x in body)
        if tag == "__dict__":
            return {dec(k): dec(x) for k, x in body}
    return {k: dec(x) for k, x in j.items()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("uri")
    p.add_argument("--prefix", required=True)
    p.add_argument("--codec", choices=["json", "pickle"], default="pickle")
    p.add_argument("--hash", choices=["md5", "sha256"], default="md5")
    p.add_argument("--default-timeout", type=int, default=300)
    p.add_argument("--family", default="4.1")
    args = p.parse_args()
    _, tables = superset_schema.declare(args.family)
    table = tables["key_value"]
    engine = sa.create_engine(args.uri, future=True)
    config = {"CACHE_KEY_PREFIX": args.prefix, "CACHE_DEFAULT_TIMEOUT": args.default_timeout}
    if args.codec == "json":
        config["CODEC"] = JsonKeyValueCodec()
    cache = SupersetMetastoreCache.factory(engine, table, config, args.hash)
    out = []
    for op in json.load(sys.stdin):
        kind, key = op["op"], op.get("key")
        if "value_json" in op:
            op["value"] = json.loads(op["value_json"])
        if kind in ("set", "add"):
            out.append(getattr(cache, kind)(key, dec(op["value"]), op.get("timeout")))
        elif kind == "get":
            out.append(json.dumps(enc(cache.get(key))))  # as text: member order is kept
        elif kind == "has":
            out.append(cache.has(key))
        elif kind == "delete":
            out.append(cache.delete(key))
        elif kind == "uuid":
            out.append(str(cache.get_key(key)))
        elif kind == "encode":
            out.append(base64.b64encode(cache.codec.encode(dec(op["value"]))).decode())
        elif kind == "row":
            with engine.connect() as conn:
                row = KeyValueDAO(conn, table).get_entry(RESOURCE, cache.get_key(key))
            out.append(None if row is None else {
                "value": base64.b64encode(row.value).decode(),
                "expires_on": row.expires_on.isoformat(sep=" ") if row.expires_on else None,
                "created_on": row.created_on.isoformat(sep=" ") if row.created_on else None,
                "changed_on": row.changed_on.isoformat(sep=" ") if row.changed_on else None,
                "now": datetime.now().isoformat(sep=" ")})
        elif kind == "expire":
            when = datetime.fromisoformat(op["expires_on"]) if op.get("expires_on") else None
            with engine.begin() as conn:
                conn.execute(sa.update(table).where(table.c.resource == RESOURCE, table.c.uuid == cache.get_key(key))
                             .values(expires_on=when))
            out.append(True)
        else:
            raise SystemExit(f"unknown op {kind}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
