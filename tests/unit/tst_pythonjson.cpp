// PythonJson against Debian's python3: json.dumps text and float repr, byte for byte.
#include "checkok.h"
#include "codec/pythonjson.h"
#include "codec/valuejson.h"
#include "python.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <cstring>
#include <limits>

using namespace cachescope;

class TestPythonJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void floatReprMatchesPython();
    void dumpsMatchesPython();
    void refusesWhatJsonRefuses();
};

void TestPythonJson::floatReprMatchesPython()
{
    QList<double> values{0.1, 1e15, 1e16, 9999999999999998.0, 1e-4, 1e-5, 0.00012345, 123.0, -2.5, 1e22, 1e300,
                         5e-324, std::numeric_limits<double>::max(), std::numeric_limits<double>::min(), 1.0 / 3,
                         123456789012345678.0, 100.0, 0.5, 2e-7};
    QRandomGenerator rng(42);
    for (int i = 0; i < 2000; ++i) {
        quint64 bits = rng.generate64();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        if (std::isfinite(d))
            values.append(d);
        values.append(double(rng.bounded(1000000)) / double(1 + rng.bounded(1000)));
    }
    QByteArray input;
    for (double d : values)
        input += QByteArray::number(d, 'g', 17) + '\n';
    auto py = test::runPython(QStringLiteral("import sys\nfor line in sys.stdin: print(repr(float(line)))\n"), {}, input);
    CHECK_OK(py);
    const QList<QByteArray> expected = py->trimmed().split('\n');
    QCOMPARE(expected.size(), values.size());
    for (int i = 0; i < values.size(); ++i)
        QCOMPARE(PythonJson::floatRepr(values[i]), expected[i]);
}

void TestPythonJson::dumpsMatchesPython()
{
    // Values in CacheScope's tagged JSON; Python turns each into a value and json.dumps it.
    const QList<QByteArray> samples{
        "{\"owner\": 1, \"value\": \"{\\\"a\\\": [1, 2]}\"}",
        "\"h\\u00e9llo \\u20ac \\ud834\\udd1e \\u0001\\u007f\\t\\n\\\"\\\\/\"",
        "[0.1, 1e16, -0.0, 5e-324, {\"__float__\": \"nan\"}, {\"__float__\": \"inf\"}, {\"__float__\": \"-inf\"}]",
        "{\"__dict__\": [[2, \"int\"], [true, \"bool\"], [null, \"none\"], [2.5, \"float\"]]}",
        "{\"__tuple__\": [1, {\"__tuple__\": []}]}",
        "{\"big\": {\"__int__\": \"-1180591620717411303424\"}, \"z\": 0, \"nested\": {\"b\": [], \"a\": {}}}",
    };
    QJsonArray texts;
    for (const QByteArray &s : samples)
        texts.append(QString::fromUtf8(s));
    const QString script = QStringLiteral(R"(
import base64, json, sys
def dec(j):
    if isinstance(j, list): return [dec(x) for x in j]
    if not isinstance(j, dict): return j
    if len(j) == 1:
        (t, b), = j.items()
        if t == "__int__": return int(b)
        if t == "__float__": return float(b)
        if t == "__tuple__": return tuple(dec(x) for x in b)
        if t == "__dict__": return {dec(k): dec(v) for k, v in b}
    return {k: dec(v) for k, v in j.items()}
for text in json.load(sys.stdin):
    print(json.dumps(dec(json.loads(text))))
)");
    auto py = test::runPython(script, {}, QJsonDocument(texts).toJson(QJsonDocument::Compact));
    CHECK_OK(py);
    const QList<QByteArray> expected = py->trimmed().split('\n');
    QCOMPARE(expected.size(), samples.size());
    for (int i = 0; i < samples.size(); ++i) {
        auto value = ValueJson::fromJson(samples[i]);
        CHECK_OK(value);
        auto mine = PythonJson::dumps(*value);
        CHECK_OK(mine);
        QCOMPARE(*mine, expected[i]);
    }
    // simplejson's ignore_nan form (SQL Lab): non-finite numbers become null.
    auto nan = PythonJson::dumps(PyValue::list({PyValue::floating(std::nan("")), PyValue::floating(1.5)}),
                                 PythonJson::NonFinite::Null);
    CHECK_OK(nan);
    QCOMPARE(*nan, QByteArray("[null, 1.5]"));
}

void TestPythonJson::refusesWhatJsonRefuses()
{
    auto bytes = PythonJson::dumps(PyValue::dict({{PyValue::str(QByteArray("k")), PyValue::bytes("x")}}));
    QVERIFY(!bytes);
    QCOMPARE(bytes.error(), QStringLiteral("Object of type bytes is not JSON serializable"));
    auto set = PythonJson::dumps(PyValue::set({PyValue::integer(1)}));
    QVERIFY(!set);
    QVERIFY(set.error().contains(QStringLiteral("set")));
    auto tupleKey = PythonJson::dumps(PyValue::dict({{PyValue::tuple({}), PyValue::none()}}));
    QVERIFY(!tupleKey);
    QVERIFY(tupleKey.error().contains(QStringLiteral("keys must be")));
}

QTEST_GUILESS_MAIN(TestPythonJson)
#include "tst_pythonjson.moc"
