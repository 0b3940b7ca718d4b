// Recognisers on real pickles: python3 (pandas 1.5.3, numpy 1.24) pickles each object and states,
// in the decode-JSON encoding, what the object holds (computed in Python: isoformat(), str(dtype),
// the frame's values); the C++ side decodes the pickle and must say the same. Plus hand-built
// trees for layouts this python cannot produce (numpy 2 module paths).
#include "codec/decodejson.h"
#include "codec/picklereader.h"
#include "codec/recognisers.h"
#include "python.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace cachescope;

namespace {

const char kScript[] = R"PY(
import base64, collections, datetime, decimal, json, pickle, sys, uuid
import numpy as np, pandas as pd

def enc(v):
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float) and v != v:
        return {"__float__": "nan"}
    if isinstance(v, (np.floating,)):
        return enc(float(v))
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, (pd.Timestamp, datetime.datetime)):
        return {"__datetime__": v.isoformat()}
    if isinstance(v, datetime.date):
        return {"__date__": v.isoformat()}
    if isinstance(v, datetime.time):
        return {"__time__": v.isoformat()}
    if isinstance(v, (pd.Timedelta, datetime.timedelta)):
        return {"__timedelta__": v.total_seconds()}
    if isinstance(v, decimal.Decimal):
        return {"__decimal__": str(v)}
    if isinstance(v, uuid.UUID):
        return {"__uuid__": str(v)}
    if isinstance(v, bytes):
        return {"__bytes__": base64.b64encode(v).decode()}
    if isinstance(v, tuple):
        return {"__tuple__": [enc(x) for x in v]}
    return v

def rows_of(df):
    # Missing values of extension columns (categorical, nullable) are None, not NaN.
    cols = []
    for i in range(df.shape[1]):
        s = df.iloc[:, i]
        v = s.astype(object)
        if pd.api.types.is_extension_array_dtype(s.dtype):
            v = v.where(s.notna(), None)
        cols.append(v.tolist())
    return [list(r) for r in zip(*cols)] if cols else [[] for _ in range(len(df))]

def frame(df, rows=100, series=False):
    obj = df
    if series:
        df = df.to_frame()
    out = {"columns": [enc(c) for c in df.columns], "dtypes": [str(d) for d in df.dtypes],
           "index": [enc(i) for i in df.index[:rows]],
           "data": [[enc(x) for x in row] for row in rows_of(df)[:rows]], "rows": len(df)}
    if series:
        out["series"] = True
    return {"__dataframe__": out}

def nd(a):
    def conv(x):
        return [conv(y) for y in x] if isinstance(x, list) else enc(x)
    data = a.tolist() if a.dtype.kind not in "Mm" else [enc(pd.Timestamp(x) if a.dtype.kind == "M" and not np.isnat(x) else (pd.Timedelta(x) if not np.isnat(x) else None)) for x in a]
    return {"__ndarray__": {"dtype": a.dtype.str, "shape": list(a.shape), "data": conv(data)}}

cases = []
def case(name, obj, expected, protocol=5):
    cases.append({"name": name, "pickle": base64.b64encode(pickle.dumps(obj, protocol)).decode(), "expected": expected})

big = pd.DataFrame({"n": np.arange(100000), "s": ["r%d" % i for i in range(100000)]})
chart = pd.DataFrame({
    "id": [1, 2, 3], "price": [1.5, float("nan"), -2.25], "name": ["a", "b\u00e9", None], "flag": [True, False, True],
    "ts": pd.to_datetime(["2024-01-01 10:00:00", None, "2024-03-01 00:00:01.5"]),
    "ts_tz": pd.to_datetime(["2024-01-01 10:00:00", "2024-06-01 12:30:00", "2024-12-31 23:59:59"]).tz_localize("Europe/Paris"),
    "ts_utc": pd.to_datetime(["2024-01-01", "2024-01-02", None]).tz_localize("UTC"),
    "nullable": pd.array([7, None, 9], dtype="Int64"), "cat": pd.Categorical(["x", "y", None]),
    "f32": np.array([0.5, 1.5, -1], dtype="float32"), "u8": np.array([1, 2, 255], dtype="uint8"),
    "td": pd.to_timedelta([1, 2, None], unit="s"), "obj": [decimal.Decimal("1.5"), datetime.date(2024, 1, 2), 3],
})
for p in (2, 4, 5):
    case("chart_p%d" % p, chart, frame(chart), p)
case("empty", pd.DataFrame({"a": pd.Series([], dtype="int64")}), frame(pd.DataFrame({"a": pd.Series([], dtype="int64")})))
case("big", big, frame(big))
dti = pd.DataFrame({"v": [1.0, 2.0]}, index=pd.date_range("2024-01-01", periods=2, freq="D", tz="US/Eastern"))
case("dt_index_tz", dti, frame(dti))
rng = pd.DataFrame({"v": [1, 2, 3]}, index=pd.RangeIndex(10, 16, 2))
case("range_step", rng, frame(rng))
intcols = pd.DataFrame({0: [1], 1: ["x"]})
case("int_labels", intcols, frame(intcols))
mi = pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)]))
case("multi_index", mi, frame(mi))
s = pd.Series([1.0, None], index=["x", "y"], name="s")
case("series", s, frame(s, series=True))
scal = {"dt": datetime.datetime(2024, 5, 6, 7, 8, 9, 123456), "utc": datetime.datetime(2024, 5, 6, tzinfo=datetime.timezone.utc),
        "off": datetime.datetime(2024, 5, 6, tzinfo=datetime.timezone(datetime.timedelta(hours=-3, minutes=-30))),
        "d": datetime.date(1, 1, 1), "t": datetime.time(23, 59, 59, 999999), "td": datetime.timedelta(days=-1, seconds=5),
        "dec": decimal.Decimal("-0.000100"), "u": uuid.UUID(int=2**128 - 1), "u1": uuid.UUID(int=1),
        "ts": pd.Timestamp("2024-01-02 03:04:05.000000006"), "nat": pd.NaT,
        "np": np.float32(0.25), "npi": np.int16(-3), "npb": np.bool_(True)}
case("scalars", scal, {k: enc(v) for k, v in scal.items()})
for p in (2, 3):
    case("scalars_p%d" % p, {"dt": scal["dt"], "d": scal["d"], "dec": scal["dec"]}, {"dt": enc(scal["dt"]), "d": enc(scal["d"]), "dec": enc(scal["dec"])}, p)
od = collections.OrderedDict([("z", 1), ("a", [2])])
case("ordered", od, {"z": 1, "a": [2]})
dd = collections.defaultdict(int, {"k": 3})
case("defaultdict", dd, {"k": 3})
arrays = {"f_order": np.asfortranarray(np.arange(6, dtype="int32").reshape(2, 3)), "be": np.array([1, 2], dtype=">i4"),
          "m8": np.array(["2024-01-01T00:00:00.5", "NaT"], dtype="datetime64[ms]"), "s": np.array([b"ab", b"c"]),
          "c": np.array(["xy", ""]), "f2": np.array([0.5, -2], dtype="float16"), "empty": np.zeros((0, 3)),
          "m8d": np.array(["2024-02-29"], dtype="datetime64[D]"), "td": np.array([3], dtype="timedelta64[us]")}
for p in (2, 5):
    case("arrays_p%d" % p, arrays, {k: nd(v) for k, v in arrays.items()}, p)

# zoneinfo timezones pickle as getattr(ZoneInfo, "_unpickle") called with (key, 1): a call of a
# call's result. Scalars, shared zones, pandas Timestamps and a frame column.
from zoneinfo import ZoneInfo
paris, utc = ZoneInfo("Europe/Paris"), ZoneInfo("UTC")
zoned = {"paris": datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=paris), "winter": datetime.datetime(2024, 1, 6, 7, 8, tzinfo=paris),
         "utc": datetime.datetime(2024, 5, 6, tzinfo=utc), "ts": pd.Timestamp("2024-07-01 12:00", tz=paris),
         "t": datetime.time(7, 8, tzinfo=utc)}
for p in (2, 3, 4, 5):
    case("zoneinfo_p%d" % p, zoned, {k: enc(v) for k, v in zoned.items()}, p)
zframe = pd.DataFrame({"at": pd.to_datetime(["2024-01-01 10:00", "2024-07-01 10:00"]).tz_localize(paris), "v": [1, 2]})
case("zoneinfo_frame", zframe, frame(zframe))
case("zoneinfo_series", zframe["at"], frame(zframe["at"], series=True))

# dtype="string" (StringDtype) columns say "string", as df.dtypes does; missing values are None.
strings = pd.DataFrame({"s": pd.array(["a", None, "\u00e9"], dtype="string"), "o": ["a", None, "c"], "b": pd.array([True, None, False], dtype="boolean")})
for p in (2, 5):
    case("string_dtype_p%d" % p, strings, frame(strings), p)
case("string_series", strings["s"], frame(strings["s"], series=True))

# Decimals beyond the 28 digits of the default context keep every digit.
longdec = {"d40": decimal.Decimal("1234567890.123456789012345678901234567890"), "neg": decimal.Decimal("-0." + "9" * 45),
           "exp": decimal.Decimal("1.2345678901234567890123456789012345E+400"), "nan": decimal.Decimal("NaN")}
case("decimal_long", longdec, {k: enc(v) for k, v in longdec.items()})
decframe = pd.DataFrame({"amount": [decimal.Decimal("98765432109876543210.98765432109876543210"), None]})
case("decimal_frame", decframe, frame(decframe))

# datetime64 far from today, in several units: ISO 8601 with astronomical years, four digits in
# 0000-9999 and a sign beyond ("-0001", "+10000"); numpy itself computes the calendar.
def iso_of(count, unit):
    per = {"s": 1, "ms": 10 ** 3, "us": 10 ** 6, "ns": 10 ** 9}[unit]
    secs, frac = divmod(count, per)
    return {"__datetime__": iso_date(secs, frac * (10 ** 9 // per))}
far = {"s": [0, -62135596800, -62135596801, -62167219200, -62198755200, -10 ** 11, 253402300800, 10 ** 12, 2 ** 62, -2 ** 62, 2 ** 63 - 1, -2 ** 63 + 1],
       "ms": [-2 ** 63 + 1, 2 ** 63 - 1, -1],
       "us": [-2 ** 63 + 1, 2 ** 63 - 1, -62198755200 * 10 ** 6 + 5],
       "ns": [-2 ** 63 + 1, 2 ** 63 - 1, -1, 1]}
for unit, values in far.items():
    a = np.array(values, dtype="datetime64[%s]" % unit)
    case("far_dates_%s" % unit, a, {"__ndarray__": {"dtype": a.dtype.str, "shape": [len(values)], "data": [iso_of(v, unit) for v in values]}})
print(json.dumps(cases))
)PY";

} // namespace

class TestRecognisers : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        auto out = test::runPython(test::pythonIsoDate() + QString::fromUtf8(kScript));
        QVERIFY2(out.hasValue(), out.hasValue() ? "" : qPrintable(out.error()));
        m_cases = QJsonDocument::fromJson(*out).array();
        QVERIFY(m_cases.size() > 10);
    }

    void matchesPython_data()
    {
        QTest::addColumn<int>("index");
        // initTestCase has run: one row per case python produced.
        for (int i = 0; i < m_cases.size(); ++i)
            QTest::newRow(qPrintable(m_cases.at(i).toObject().value(QLatin1String("name")).toString())) << i;
    }

    void matchesPython()
    {
        QFETCH(int, index);
        const QJsonObject c = m_cases.at(index).toObject();
        const QString name = c.value(QLatin1String("name")).toString();
        const QByteArray pickle = QByteArray::fromBase64(c.value(QLatin1String("pickle")).toString().toLatin1());
        auto value = PickleReader().loads(pickle);
        QVERIFY2(value.hasValue(), qPrintable(name + u": " + (value.hasValue() ? QString() : value.error())));
        const QByteArray ours = DecodeJson::value(*value, 100);
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray("[") + ours + "]", &err);
        QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(name + u": " + err.errorString()));
        const QJsonValue got = doc.array().at(0);
        const QJsonValue expected = c.value(QLatin1String("expected"));
        if (got != expected) {
            qWarning("%s\n ours: %s\n python: %s", qPrintable(name), ours.left(3000).constData(),
                     QJsonDocument(QJsonArray{expected}).toJson(QJsonDocument::Compact).left(3000).constData());
        }
        QVERIFY2(got == expected, qPrintable(name));
    }

    void numpy2ModulePaths()
    {
        // numpy >= 2 pickles name numpy._core.*; build such a tree by hand.
        auto global = [](const char *module, const char *name) {
            PyValue::Object o;
            o.module = module;
            o.name = name;
            return o;
        };
        PyValue::Object dtype = global("numpy", "dtype");
        dtype.construction = PyValue::Object::Construction::Reduce;
        dtype.args = std::make_shared<PyValue::Items>(PyValue::Items{PyValue::str(QByteArray("f8")), PyValue::boolean(false), PyValue::boolean(true)});
        dtype.state = std::make_shared<PyValue>(PyValue::tuple({PyValue::integer(3), PyValue::str(QByteArray("<")), PyValue::none(), PyValue::none(),
                                                                 PyValue::none(), PyValue::integer(-1), PyValue::integer(-1), PyValue::integer(0)}));
        QByteArray raw(16, '\0');
        const double a = 1.25, b = -3.0;
        std::memcpy(raw.data(), &a, 8);
        std::memcpy(raw.data() + 8, &b, 8);
        PyValue::Object fb = global("numpy._core.numeric", "_frombuffer");
        fb.construction = PyValue::Object::Construction::Reduce;
        fb.args = std::make_shared<PyValue::Items>(PyValue::Items{PyValue::byteArray(raw), PyValue::object(dtype),
                                                                  PyValue::tuple({PyValue::integer(2)}), PyValue::str(QByteArray("C"))});
        const auto arr = Recognisers::ndarray(PyValue::object(fb));
        QVERIFY(arr.has_value());
        QCOMPARE(arr->dtypeString(), QStringLiteral("<f8"));
        QCOMPARE(arr->element(1).value.toFloat(), -3.0);
        // numpy 2 order "K" with axis_order: reshape(shape, "C").transpose(axis_order).
        QByteArray six(6 * 8, '\0');
        for (int k = 0; k < 6; ++k) {
            const double x = k;
            std::memcpy(six.data() + 8 * k, &x, 8);
        }
        PyValue::Object fk = global("numpy._core.numeric", "_frombuffer");
        fk.construction = PyValue::Object::Construction::Reduce;
        fk.args = std::make_shared<PyValue::Items>(PyValue::Items{PyValue::byteArray(six), PyValue::object(dtype),
                                                                  PyValue::tuple({PyValue::integer(3), PyValue::integer(2)}), PyValue::str(QByteArray("K")),
                                                                  PyValue::tuple({PyValue::integer(1), PyValue::integer(0)})});
        QCOMPARE(DecodeJson::value(PyValue::object(fk)), QByteArray("{\"__ndarray__\":{\"dtype\":\"<f8\",\"shape\":[2,3],\"data\":[[0.0,2.0,4.0],[1.0,3.0,5.0]]}}"));
        // Shape/buffer mismatch: not an array, stays an object node (never an error).
        fb.args = std::make_shared<PyValue::Items>(PyValue::Items{PyValue::byteArray(raw.left(9)), PyValue::object(dtype),
                                                                  PyValue::tuple({PyValue::integer(2)}), PyValue::str(QByteArray("C"))});
        QVERIFY(!Recognisers::ndarray(PyValue::object(fb)).has_value());
        QVERIFY(DecodeJson::value(PyValue::object(fb)).startsWith("{\"__object__\":\"numpy._core.numeric._frombuffer\""));
    }

    void unknownObjectsStayBrowsable()
    {
        auto out = test::runPython(QStringLiteral(
            "import pickle, sys, fractions\n"
            "sys.stdout.buffer.write(pickle.dumps({'f': fractions.Fraction(1, 3)}, 5))\n"));
        QVERIFY(out.hasValue());
        auto value = PickleReader().loads(*out);
        QVERIFY(value.hasValue());
        const QJsonObject o = QJsonDocument::fromJson(DecodeJson::value(*value)).object();
        QCOMPARE(o.value(QLatin1String("f")).toObject().value(QLatin1String("__object__")).toString(), QStringLiteral("fractions.Fraction"));
        QCOMPARE(o.value(QLatin1String("f")).toObject().value(QLatin1String("args")).toArray(), QJsonArray({1, 3}));
    }

private:
    QJsonArray m_cases;
};

QTEST_GUILESS_MAIN(TestRecognisers)
#include "tst_recognisers.moc"
