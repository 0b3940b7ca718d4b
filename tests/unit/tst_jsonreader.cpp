// The one JSON grammar parser: Python json.loads agreement and the options ValueJson relies on.
#include "codec/jsonreader.h"

#include "python.h"
#include "checkok.h"

#include <QTest>

#include <cmath>

using namespace cachescope;

class TestJsonReader : public QObject
{
    Q_OBJECT

private slots:
    // Accepts exactly what Python's json.loads accepts on these edge cases.
    void agreesWithPythonOnAcceptance()
    {
        const QList<QByteArray> inputs = {"1", "-0", "1.5", "1e5", "1E+5", "1.", "1.e5", ".5", "-", "1e", "1e+",
                                          "NaN", "-Infinity", "Infinity", "nan", "[1,]", "{\"a\":1,}", "[1 2]",
                                          "\"\\ud800\"", "\"\\q\"", "\"a\tb\"", "tru", "[] x", ""};
        QByteArray lines;
        for (const QByteArray &in : inputs)
            lines += in.toHex() + '\n';
        auto py = test::runPython(QStringLiteral("import sys, json\n"
                                                 "for line in sys.stdin.read().split():\n"
                                                 "    try:\n        json.loads(bytes.fromhex(line)); print(1)\n"
                                                 "    except ValueError:\n        print(0)\n"),
                                  {}, lines + "\n");
        CHECK_OK(py);
        // The empty input has no hex line: Python rejects it too.
        QList<QByteArray> verdicts = py->split('\n');
        verdicts.removeAll(QByteArray());
        QCOMPARE(verdicts.size(), inputs.size() - 1);
        for (qsizetype i = 0; i < inputs.size(); ++i) {
            const bool ours = JsonReader().parse(inputs[i]).hasValue();
            const bool python = i < verdicts.size() && verdicts[i] == "1";
            QVERIFY2(ours == python, inputs[i].constData());
        }
    }

    void keepsOrderBigIntsAndNonFinite()
    {
        auto v = JsonReader().parse("{\"z\": 1, \"a\": [NaN, -Infinity, 123456789012345678901234567890]}");
        CHECK_OK(v);
        QCOMPARE(v->pairs().front().first.bytesData(), QByteArray("z"));
        const PyValue &a = v->pairs().back().second;
        QVERIFY(std::isnan(a.items()[0].toFloat()));
        QCOMPARE(a.items()[1].toFloat(), -HUGE_VAL);
        QCOMPARE(a.items()[2].bigIntDecimal(), QByteArray("123456789012345678901234567890"));
    }

    void errorsNameTheByteOffset()
    {
        auto r = JsonReader().parse("[1, 2 x]");
        QVERIFY(!r);
        QCOMPARE(r.error(), QStringLiteral("JSON: expected ',' or ']' at offset 6"));
    }

    void strictOptionsRejectNonFiniteAndLongIntegers()
    {
        JsonReader::Options o;
        o.allowNonFinite = false;
        o.maxIntegerDigits = 25; // only big integers count: the conversion to them is the slow part
        for (const char *in : {"NaN", "Infinity", "-Infinity", "12345678901234567890123456"})
            QVERIFY2(!JsonReader(o).parse(in), in);
        CHECK_OK(JsonReader(o).parse("1234567890123456789012345"));
    }

    void lineColumnOption()
    {
        JsonReader::Options o;
        o.lineColumn = true;
        auto r = JsonReader(o).parse("[1,\n  x]");
        QVERIFY(!r);
        QCOMPARE(r.error(), QStringLiteral("JSON: unexpected character 'x' at line 2, column 3"));
    }

    // The hook sees each object's members once its children are done; its error sits at the '{'.
    void objectHookReplacesObjectsInsideOut()
    {
        JsonReader::Options o;
        o.objectHook = [](PyValue::Pairs &&pairs) -> Expected<PyValue> {
            if (!pairs.empty() && pairs.front().first.bytesData() == "bad")
                return makeError(QStringLiteral("bad object"));
            return PyValue::integer(qint64(pairs.size()));
        };
        auto v = JsonReader(o).parse("{\"a\": {\"x\": 1, \"y\": 2}, \"b\": {}}");
        CHECK_OK(v);
        QCOMPARE(v->toInt(), 2);
        auto r = JsonReader(o).parse("[0, {\"bad\": 1}]");
        QVERIFY(!r);
        QCOMPARE(r.error(), QStringLiteral("JSON: bad object at offset 4"));
    }
};

QTEST_GUILESS_MAIN(TestJsonReader)
#include "tst_jsonreader.moc"
