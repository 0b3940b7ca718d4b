#!/usr/bin/python3
"""Superset's metadata tables, declared as Superset's models declare them, for CacheScope's tests.

Run with Debian's python3 (python3-sqlalchemy 1.4, python3-sqlalchemy-utils, python3-psycopg2,
python3-pymysql): the same SQLAlchemy line Superset 1.5-5.x pins, and sqlalchemy_utils' UUIDType
that Superset's ImportExportMixin uses, so the DDL and the stored bytes are what Superset writes.

Only the tables CacheScope reads (and what their foreign keys need) are declared, with every column
the models had at the release tags below. Sources, read at the tags of a public mirror of
apache/superset (CybercentreCanada/superset, tags 1.4.0 ... 5.0.0rc2):
  superset/models/core.py        class Database      (__tablename__ = "dbs")
  superset/connectors/base/models.py  BaseDatasource (1.4-3.x; moved into connectors/sqla/models.py in 4.x)
  superset/connectors/sqla/models.py  SqlaTable      (__tablename__ = "tables"; catalog from 4.1.0)
  superset/models/slice.py       class Slice         (__tablename__ = "slices"; params/query_context
                                                       utils.MediumText() from 4.x)
  superset/models/dashboard.py   Dashboard, dashboard_slices
  superset/models/cache.py       CacheKey            (__tablename__ = "cache_keys")
  superset/key_value/models.py   KeyValueEntry       (__tablename__ = "key_value", since migration
                                                       6766938c6065, first released in 1.5.0)
  superset/models/helpers.py     AuditMixinNullable (created_on/changed_on/created_by_fk/changed_by_fk),
                                 ImportExportMixin (uuid = UUIDType(binary=True), unique)
  superset/utils/core.py › MediumText = Text().with_variant(MEDIUMTEXT(), "mysql")
The alembic head of each family is the one METADATA.md lists for its tag.

Usage:
  superset_schema.py create URI --family F [--fixture basic] [--databases N --datasets N --charts N
                                            --dashboards N --seed S]
  superset_schema.py dump URI     # what a reader must see, as JSON (read back through SQLAlchemy)
  superset_schema.py create-many  # stdin: [{"uri": U, "family": F}, ...] (basic fixture), one start-up
  superset_schema.py dump-many    # stdin: [U, ...]; stdout: [dump, ...]
  superset_schema.py sql URI STATEMENT   # runs one statement (test set-up), prints rows as JSON
"""

import argparse
import json
import random
import sys
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import MEDIUMTEXT
from sqlalchemy_utils import UUIDType

# family -> (alembic head, has key_value, has catalog columns, MediumText columns, file-upload flag name)
FAMILIES = {
    "1.4": ("aea15018d53b", False, False, False, "allow_csv_upload"),
    "2.1": ("f3c2d8ec8595", True, False, False, "allow_file_upload"),
    "4.1": ("48cbb571fa3a", True, True, True, "allow_file_upload"),
    "5.0": ("32bf93dfe2a4", True, True, True, "allow_file_upload"),
}


def medium_text(family):
    return sa.Text().with_variant(MEDIUMTEXT(), "mysql") if FAMILIES[family][3] else sa.Text()


def audit_columns():
    # AuditMixinNullable (superset/models/helpers.py)
    return [
        sa.Column("created_on", sa.DateTime, default=datetime.now, nullable=True),
        sa.Column("changed_on", sa.DateTime, default=datetime.now, onupdate=datetime.now, nullable=True),
        sa.Column("created_by_fk", sa.Integer, sa.ForeignKey("ab_user.id"), nullable=True),
        sa.Column("changed_by_fk", sa.Integer, sa.ForeignKey("ab_user.id"), nullable=True),
    ]


def uuid_column():
    # ImportExportMixin.uuid
    return sa.Column("uuid", UUIDType(binary=True), primary_key=False, unique=True, default=uuid.uuid4)


def declare(family):
    _, has_kv, has_catalog, _, upload = FAMILIES[family]
    md = sa.MetaData()
    t = {}
    # Flask-AppBuilder's user table, only as far as the foreign keys need it.
    t["ab_user"] = sa.Table(
        "ab_user", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("first_name", sa.String(64), nullable=False),
        sa.Column("last_name", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("active", sa.Boolean),
        sa.Column("email", sa.String(64), nullable=False, unique=True),
    )
    t["dbs"] = sa.Table(
        "dbs", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("verbose_name", sa.String(250), unique=True),
        sa.Column("database_name", sa.String(250), unique=True, nullable=False),
        sa.Column("sqlalchemy_uri", sa.String(1024), nullable=False),
        sa.Column("password", sa.LargeBinary),  # EncryptedType(String(1024)) stores bytes
        sa.Column("cache_timeout", sa.Integer),
        sa.Column("select_as_create_table_as", sa.Boolean, default=False),
        sa.Column("expose_in_sqllab", sa.Boolean, default=True),
        sa.Column("allow_run_async", sa.Boolean, default=False),
        sa.Column(upload, sa.Boolean, default=False),
        sa.Column("allow_ctas", sa.Boolean, default=False),
        sa.Column("allow_cvas", sa.Boolean, default=False),
        sa.Column("allow_dml", sa.Boolean, default=False),
        sa.Column("force_ctas_schema", sa.String(250)),
        sa.Column("extra", sa.Text),
        sa.Column("encrypted_extra", sa.LargeBinary, nullable=True),
        sa.Column("impersonate_user", sa.Boolean, default=False),
        *audit_columns(),
        uuid_column(),
    )
    tables_columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("description", sa.Text),
        sa.Column("default_endpoint", sa.Text),
        sa.Column("is_featured", sa.Boolean, default=False),
        sa.Column("filter_select_enabled", sa.Boolean, default=False),
        sa.Column("offset", sa.Integer, default=0),
        sa.Column("cache_timeout", sa.Integer),
        sa.Column("params", sa.String(1000)),
        sa.Column("perm", sa.String(1000)),
        sa.Column("schema_perm", sa.String(1000)),
        sa.Column("table_name", sa.String(250), nullable=False),
        sa.Column("main_dttm_col", sa.String(250)),
        sa.Column("database_id", sa.Integer, sa.ForeignKey("dbs.id"), nullable=False),
        sa.Column("fetch_values_predicate", sa.Text),
        sa.Column("schema", sa.String(255)),
        sa.Column("sql", medium_text(family)),
        sa.Column("is_sqllab_view", sa.Boolean, default=False),
        sa.Column("template_params", sa.Text),
        sa.Column("extra", sa.Text),
        *audit_columns(),
        uuid_column(),
    ]
    if has_catalog:
        tables_columns += [sa.Column("catalog", sa.String(256), nullable=True),
                           sa.Column("catalog_perm", sa.String(1000), nullable=True)]
    t["tables"] = sa.Table("tables", md, *tables_columns,
                           sa.UniqueConstraint("database_id", "schema", "table_name", name="_customer_location_uc"))
    slices_columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slice_name", sa.String(250)),
        sa.Column("datasource_id", sa.Integer),
        sa.Column("datasource_type", sa.String(200)),
        sa.Column("datasource_name", sa.String(2000)),
        sa.Column("viz_type", sa.String(250)),
        sa.Column("params", medium_text(family)),
        sa.Column("query_context", medium_text(family)),
        sa.Column("description", sa.Text),
        sa.Column("cache_timeout", sa.Integer),
        sa.Column("perm", sa.String(1000)),
        sa.Column("schema_perm", sa.String(1000)),
        sa.Column("last_saved_at", sa.DateTime, nullable=True),
        sa.Column("last_saved_by_fk", sa.Integer, sa.ForeignKey("ab_user.id"), nullable=True),
        sa.Column("certified_by", sa.Text),
        sa.Column("certification_details", sa.Text),
        *audit_columns(),
        uuid_column(),
    ]
    if has_catalog:
        slices_columns.append(sa.Column("catalog_perm", sa.String(1000), nullable=True))
    t["slices"] = sa.Table("slices", md, *slices_columns)
    t["dashboards"] = sa.Table(
        "dashboards", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dashboard_title", sa.String(500)),
        sa.Column("position_json", medium_text(family)),
        sa.Column("description", sa.Text),
        sa.Column("css", medium_text(family)),
        sa.Column("json_metadata", medium_text(family)),
        sa.Column("slug", sa.String(255), unique=True),
        sa.Column("published", sa.Boolean, default=False),
        *audit_columns(),
        uuid_column(),
    )
    t["dashboard_slices"] = sa.Table(
        "dashboard_slices", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dashboard_id", sa.Integer, sa.ForeignKey("dashboards.id", ondelete="CASCADE")),
        sa.Column("slice_id", sa.Integer, sa.ForeignKey("slices.id", ondelete="CASCADE")),
        sa.UniqueConstraint("dashboard_id", "slice_id", name="uq_dashboard_slice"),
    )
    t["cache_keys"] = sa.Table(
        "cache_keys", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cache_key", sa.String(256), nullable=False),
        sa.Column("cache_timeout", sa.Integer, nullable=True),
        sa.Column("datasource_uid", sa.String(64), nullable=False, index=True),
        sa.Column("created_on", sa.DateTime, default=datetime.now, nullable=True),
    )
    if has_kv:
        # KeyValueEntry: value LargeBinary(2**24 - 1) (migration 6766938c6065 created it as
        # LargeBinary(2**31): LONGBLOB on MySQL), uuid from ImportExportMixin, indexes of the migration.
        t["key_value"] = sa.Table(
            "key_value", md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("resource", sa.String(32), nullable=False),
            sa.Column("value", sa.LargeBinary(length=2**31), nullable=False),
            sa.Column("uuid", UUIDType(binary=True), default=uuid.uuid4),
            sa.Column("created_on", sa.DateTime, nullable=True),
            sa.Column("created_by_fk", sa.Integer, sa.ForeignKey("ab_user.id"), nullable=True),
            sa.Column("changed_on", sa.DateTime, nullable=True),
            sa.Column("changed_by_fk", sa.Integer, sa.ForeignKey("ab_user.id"), nullable=True),
            sa.Column("expires_on", sa.DateTime, nullable=True),
            sa.Index("ix_key_value_uuid", "uuid", unique=True),
            sa.Index("ix_key_value_expires_on", "expires_on"),
        )
    t["alembic_version"] = sa.Table(
        "alembic_version", md,
        sa.Column("version_num", sa.String(32), primary_key=True),
    )
    return md, t


def basic_rows(family):
    """A small, hand-made set that covers what a reader must get right."""
    now = datetime(2024, 5, 6, 7, 8, 9, 123456)
    rows = {
        "ab_user": [dict(id=1, first_name="Ada", last_name="Admin", username="admin", active=True,
                         email="admin@example.org")],
        "dbs": [
            dict(id=1, database_name="examples", sqlalchemy_uri="sqlite:////var/lib/superset/examples.db",
                 cache_timeout=None,
                 extra=json.dumps({"metadata_cache_timeout": {"schema_cache_timeout": 600, "table_cache_timeout": 300}})),
            dict(id=2, database_name="warehouse",
                 sqlalchemy_uri="postgresql+psycopg2://analyst:S3cret-Pw-9@db.internal:5432/dw", cache_timeout=3600,
                 extra="{}"),
            dict(id=3, database_name="zero timeout", sqlalchemy_uri="mysql://reader:XYZ@mysql/sales", cache_timeout=0,
                 extra="this is not json"),
            dict(id=4, database_name="bypass", sqlalchemy_uri="trino://trino:8080/hive", cache_timeout=-1, extra=None),
        ],
        "tables": [
            dict(id=1, table_name="birth_names", schema=None, database_id=1, cache_timeout=None, sql=None),
            dict(id=2, table_name="orders", schema="sales", database_id=2, cache_timeout=120, sql=""),
            dict(id=3, table_name="orders_virtual", schema="sales", database_id=2, cache_timeout=0,
                 sql="SELECT * FROM sales.orders WHERE amount > 0"),
            dict(id=4, table_name="events", schema="public", database_id=3, cache_timeout=-1, sql=None),
            dict(id=5, table_name="ünïcode ✓", schema="ß", database_id=4, cache_timeout=86400, sql=None),
        ],
        "slices": [
            dict(id=1, slice_name="Births by year", viz_type="echarts_timeseries_line", datasource_id=1,
                 datasource_type="table", cache_timeout=None,
                 params=json.dumps({"viz_type": "echarts_timeseries_line", "metrics": ["count"]}),
                 query_context=json.dumps({"datasource": {"id": 1, "type": "table"}, "form_data": {"slice_id": 1}})),
            dict(id=2, slice_name="Orders (5 s)", viz_type="table", datasource_id=2, datasource_type="table",
                 cache_timeout=5, params=json.dumps({"cache_timeout": 120, "viz_type": "table"}), query_context=None),
            dict(id=3, slice_name="Zero chart", viz_type="big_number_total", datasource_id=3, datasource_type="table",
                 cache_timeout=0, params=json.dumps({"cache_timeout": "300"}), query_context=""),
            dict(id=4, slice_name="Bypass chart", viz_type="pie", datasource_id=4, datasource_type="table",
                 cache_timeout=-1, params=json.dumps({"cache_timeout": None, "groupby": ["cache_timeout"]}),
                 query_context="{}"),
            dict(id=5, slice_name="Legacy string timeout", viz_type="dist_bar", datasource_id=5,
                 datasource_type="table", cache_timeout=None, params=json.dumps({"cache_timeout": "soon"}),
                 query_context=None),
            dict(id=6, slice_name="Broken params", viz_type="line", datasource_id=None, datasource_type=None,
                 cache_timeout=None, params="{not json, cache_timeout", query_context=None),
            dict(id=7, slice_name="Query chart", viz_type="table", datasource_id=12, datasource_type="query",
                 cache_timeout=600, params=None, query_context=None),
            dict(id=8, slice_name="Empty timeout", viz_type="table", datasource_id=2, datasource_type="table",
                 cache_timeout=None, params=json.dumps({"cache_timeout": ""}), query_context=None),
        ],
        "dashboards": [
            dict(id=1, dashboard_title="Sales", slug="sales"),
            dict(id=2, dashboard_title="World's Bank Data", slug=None),
            dict(id=3, dashboard_title="Empty", slug="empty"),
        ],
        "dashboard_slices": [
            dict(id=1, dashboard_id=1, slice_id=2), dict(id=2, dashboard_id=1, slice_id=3),
            dict(id=3, dashboard_id=2, slice_id=2), dict(id=4, dashboard_id=2, slice_id=1),
        ],
        "cache_keys": [
            dict(id=1, cache_key="a" * 32, cache_timeout=120, datasource_uid="2__table", created_on=now),
            dict(id=2, cache_key="b" * 32, cache_timeout=None, datasource_uid="2__table",
                 created_on=now + timedelta(seconds=1)),
            dict(id=3, cache_key="c" * 32, cache_timeout=86400, datasource_uid="1__table", created_on=None),
        ],
    }
    if FAMILIES[family][2]:
        rows["tables"][3]["catalog"] = "main"
    if FAMILIES[family][1]:
        rows["key_value"] = [
            dict(id=1, resource="superset_metastore_cache", value=b'{"owner": 1, "value": "{}"}',
                 uuid=uuid.UUID("a2b5aab4-98e0-3351-9d70-30770284246d"), created_on=now, expires_on=now + timedelta(days=90)),
            dict(id=2, resource="superset_metastore_cache", value=b'"AbCdEfGhIjK"',
                 uuid=uuid.UUID("3f92fd9d-9b6b-3e4e-ab4d-ba60fe5ab6d9"), created_on=now, changed_on=now,
                 expires_on=None, created_by_fk=1, changed_by_fk=1),
            dict(id=3, resource="dashboard_permalink", value=b'{"dashboardId": "1", "state": {}}',
                 uuid=uuid.UUID("12345678-1234-5678-1234-567812345678"), created_on=now, expires_on=None),
        ]
    return rows


def generated_rows(args, family):
    """Many rows for scale: deterministic from --seed, shaped like a real instance's."""
    rnd = random.Random(args.seed)
    timeouts = [None] * 6 + [0, -1, 60, 300, 3600, 86400]
    viz = ["table", "echarts_timeseries_line", "pie", "big_number_total", "dist_bar", "pivot_table_v2"]
    rows = {"ab_user": [dict(id=1, first_name="Ada", last_name="Admin", username="admin", active=True,
                             email="admin@example.org")]}
    rows["dbs"] = [dict(id=i, database_name=f"database {i}", sqlalchemy_uri=f"postgresql://u:pw{i}@host{i}/db",
                        cache_timeout=rnd.choice(timeouts), extra="{}") for i in range(1, args.databases + 1)]
    rows["tables"] = [dict(id=i, table_name=f"table_{i}", schema=f"schema_{i % 17}",
                           database_id=rnd.randint(1, args.databases), cache_timeout=rnd.choice(timeouts),
                           sql=("SELECT 1" if i % 5 == 0 else None)) for i in range(1, args.datasets + 1)]
    filler = "x" * 400  # saved form data is rarely small
    charts = []
    for i in range(1, args.charts + 1):
        params = {"viz_type": viz[i % len(viz)], "datasource": f"{(i % args.datasets) + 1}__table",
                  "adhoc_filters": [], "row_limit": 10000, "time_range": "No filter", "extra": filler}
        if i % 10 == 0:
            params["cache_timeout"] = rnd.choice([0, 60, 600])
        charts.append(dict(id=i, slice_name=f"chart {i}", viz_type=viz[i % len(viz)],
                           datasource_id=rnd.randint(1, args.datasets), datasource_type="table",
                           cache_timeout=rnd.choice(timeouts), params=json.dumps(params),
                           query_context=(json.dumps({"form_data": {"slice_id": i}, "extra": filler})
                                          if i % 3 else None)))
    rows["slices"] = charts
    rows["dashboards"] = [dict(id=i, dashboard_title=f"dashboard {i}", slug=f"d{i}")
                          for i in range(1, args.dashboards + 1)]
    links, seen = [], set()
    for i in range(1, min(args.charts, args.dashboards * 20) + 1):
        pair = (rnd.randint(1, args.dashboards), i)
        if pair not in seen:
            seen.add(pair)
            links.append(dict(id=len(links) + 1, dashboard_id=pair[0], slice_id=pair[1]))
    rows["dashboard_slices"] = links if args.dashboards else []
    rows["cache_keys"] = []
    return rows


def engine_for(uri):
    return sa.create_engine(uri, future=True)


def cmd_create(args):
    print(json.dumps(create(args.uri, args.family, args)))


def create(uri, family, args):
    family = family
    md, tables = declare(family)
    engine = engine_for(uri)
    md.drop_all(engine)
    md.create_all(engine)
    rows = basic_rows(family) if args.fixture == "basic" else generated_rows(args, family)
    with engine.begin() as conn:
        for name in ["ab_user", "dbs", "tables", "slices", "dashboards", "dashboard_slices", "cache_keys", "key_value"]:
            if name in tables and rows.get(name):
                chunk = 5000
                # executemany takes its columns from the first row: give every row every key.
                keys = sorted({k for r in rows[name] for k in r})
                data = [{k: r.get(k) for k in keys} for r in rows[name]]
                for start in range(0, len(data), chunk):
                    conn.execute(tables[name].insert(), data[start:start + chunk])
        conn.execute(tables["alembic_version"].insert(), [{"version_num": FAMILIES[family][0]}])
        if engine.dialect.name == "postgresql":
            # Explicit ids leave the sequences behind; Superset's own inserts would collide.
            for name in tables:
                if "id" in tables[name].c and rows.get(name):
                    conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                         f"(SELECT MAX(id) FROM {name}))"))
    engine.dispose()
    return {name: len(rows.get(name, [])) for name in tables}


def cmd_create_many(args):
    args.fixture = "basic"
    print(json.dumps([create(item["uri"], item["family"], args) for item in json.load(sys.stdin)]))


def cmd_dump_many(args):
    print(json.dumps([dump(uri) for uri in json.load(sys.stdin)], default=str))


def python_int(value):
    """int() of a form-data cache_timeout as legacy viz.py applies it; None for absent/null/""."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return int(value), None
    if isinstance(value, (int, float)):
        return int(value), None
    if isinstance(value, str):
        try:
            return int(value.strip()), None
        except ValueError:
            return None, "not a number"
    return None, "not a number"


def cmd_dump(args):
    print(json.dumps(dump(args.uri), default=str))


def dump(uri):
    """What a reader of this database must see, read back through SQLAlchemy with the family's
    declarations (reflection cannot type sqlalchemy_utils' UUIDType on SQLite)."""
    engine = engine_for(uri)
    with engine.connect() as conn:
        head = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    family = next(f for f, v in FAMILIES.items() if v[0] == head)
    md, _ = declare(family)
    out = {}
    with engine.connect() as conn:
        def rows(name, order="id"):
            if name not in md.tables:
                return None
            t = md.tables[name]
            return [dict(r._mapping) for r in conn.execute(sa.select(t).order_by(t.c[order]))]
        dbs = rows("dbs") or []
        out["databases"] = []
        for r in dbs:
            extra_error, mct = False, {}
            try:
                extra = json.loads(r["extra"]) if r["extra"] else {}
                mct = extra.get("metadata_cache_timeout", {}) if isinstance(extra, dict) else {}
                extra_error = not isinstance(extra, dict)
            except ValueError:
                extra_error = True
            out["databases"].append(dict(id=r["id"], name=r["database_name"],
                                         backend=r["sqlalchemy_uri"].split(":")[0].split("+")[0],
                                         cache_timeout=r["cache_timeout"],
                                         schema_cache_timeout=mct.get("schema_cache_timeout"),
                                         table_cache_timeout=mct.get("table_cache_timeout"),
                                         extra_error=extra_error))
        out["datasets"] = [dict(id=r["id"], table_name=r["table_name"], schema=r["schema"] or "",
                                catalog=r.get("catalog") or "", database_id=r["database_id"],
                                cache_timeout=r["cache_timeout"], is_virtual=bool(r["sql"]))
                           for r in rows("tables") or []]
        links = {}
        for r in rows("dashboard_slices") or []:
            links.setdefault(r["slice_id"], []).append(r["dashboard_id"])
        out["charts"] = []
        for r in rows("slices") or []:
            fd, err = None, None
            if r["params"] and "cache_timeout" in r["params"]:
                try:
                    params = json.loads(r["params"])
                    if isinstance(params, dict):
                        fd, err = python_int(params.get("cache_timeout"))
                    else:
                        err = "not an object"
                except ValueError:
                    err = "not json"
            out["charts"].append(dict(id=r["id"], name=r["slice_name"], viz_type=r["viz_type"],
                                      datasource_id=r["datasource_id"], datasource_type=r["datasource_type"] or "",
                                      cache_timeout=r["cache_timeout"], form_data_cache_timeout=fd,
                                      params_error=err is not None, has_query_context=bool(r.get("query_context")),
                                      dashboard_ids=sorted(links.get(r["id"], []))))
        out["dashboards"] = [dict(id=r["id"], title=r["dashboard_title"], slug=r["slug"] or "")
                             for r in rows("dashboards") or []]
        ck = rows("cache_keys")
        out["cache_key_count"] = None if ck is None else len(ck)
        out["cache_keys"] = [dict(id=r["id"], cache_key=r["cache_key"], cache_timeout=r["cache_timeout"],
                                  datasource_uid=r["datasource_uid"],
                                  created_on=r["created_on"].isoformat(sep=" ") if r["created_on"] else None)
                             for r in ck or []]
        kv = rows("key_value")
        out["key_value"] = None if kv is None else [
            dict(id=r["id"], resource=r["resource"], uuid=str(r["uuid"]),
                 value_size=len(r["value"]),
                 expires_on=r["expires_on"].isoformat(sep=" ") if r["expires_on"] else None)
            for r in kv]
        av = rows("alembic_version", order="version_num")
        out["alembic_revision"] = av[0]["version_num"] if av else None
        out["tables"] = sorted(md.tables)
    engine.dispose()
    return out


def cmd_sql(args):
    engine = engine_for(args.uri)
    with engine.begin() as conn:
        result = conn.execute(sa.text(args.statement))
        print(json.dumps([list(r) for r in result] if result.returns_rows else result.rowcount, default=str))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("create")
    c.add_argument("uri")
    c.add_argument("--family", choices=sorted(FAMILIES), default="4.1")
    c.add_argument("--fixture", choices=["basic", "generated"], default="basic")
    c.add_argument("--databases", type=int, default=100)
    c.add_argument("--datasets", type=int, default=10000)
    c.add_argument("--charts", type=int, default=100000)
    c.add_argument("--dashboards", type=int, default=500)
    c.add_argument("--seed", type=int, default=1)
    d = sub.add_parser("dump")
    d.add_argument("uri")
    s = sub.add_parser("sql")
    s.add_argument("uri")
    s.add_argument("statement")
    sub.add_parser("create-many")
    sub.add_parser("dump-many")
    args = p.parse_args()
    {"create": cmd_create, "dump": cmd_dump, "sql": cmd_sql, "create-many": cmd_create_many,
     "dump-many": cmd_dump_many}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
