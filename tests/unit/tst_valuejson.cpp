// The JSON encoding of Python values: exact shapes, round trips, validity and parse errors.
#include "codec/picklereader.h"
#include "codec/picklewriter.h"
#include "codec/valuejson.h"

#include "python.h"
#include "checkok.h"

#include <QJsonDocument>
#include <QTest>

#include <cmath>

using namespace cachescope;

Q_DECLARE_METATYPE(cachescope::PyValue)

namespace {
using V = PyValue;
V s(const char *text)
{
    return V::str(QByteArray(text));
}
} // namespace

class TestValueJson : public QObject
{
    Q_OBJECT

private slots:
    void encodesEachKind_data()
    {
        QTest::addColumn<PyValue>("value");
        QTest::addColumn<QByteArray>("json");
        QTest::addRow("none") << V::none() << QByteArray("null");
        QTest::addRow("bool") << V::list({V::boolean(true), V::boolean(false)}) << QByteArray("[true,false]");
        QTest::addRow("int") << V::integer(-42) << QByteArray("-42");
        QTest::addRow("2^53-1") << V::integer((qint64(1) << 53) - 1) << QByteArray("9007199254740991");
        QTest::addRow("2^53") << V::integer(qint64(1) << 53) << QByteArray(R"({"__int__":"9007199254740992"})");
        QTest::addRow("-2^53") << V::integer(-(qint64(1) << 53)) << QByteArray(R"({"__int__":"-9007199254740992"})");
        QTest::addRow("2^70") << V::bigIntegerFromDecimal("1180591620717411303424")
                              << QByteArray(R"({"__int__":"1180591620717411303424"})");
        QTest::addRow("float") << V::floating(1.5) << QByteArray("1.5");
        QTest::addRow("float integral") << V::floating(2.0) << QByteArray("2.0");
        QTest::addRow("float big") << V::floating(1e308) << QByteArray("1e+308");
        QTest::addRow("nan") << V::floating(std::nan("")) << QByteArray(R"({"__float__":"nan"})");
        QTest::addRow("-inf") << V::floating(-HUGE_VAL) << QByteArray(R"({"__float__":"-inf"})");
        QTest::addRow("str escapes") << s("a\"b\\c\n\t\x01é") << QByteArray("\"a\\\"b\\\\c\\n\\t\\u0001é\"");
        QTest::addRow("invalid utf8") << s("a\xff" "b") << QByteArray("\"a\xef\xbf\xbd" "b\"");
        QTest::addRow("bytes") << V::bytes(QByteArray("\x00\xff", 2)) << QByteArray(R"({"__bytes__":"AP8="})");
        QTest::addRow("bytearray") << V::byteArray(QByteArray("ab")) << QByteArray(R"({"__bytearray__":"YWI="})");
        QTest::addRow("tuple") << V::tuple({V::integer(1)}) << QByteArray(R"({"__tuple__":[1]})");
        QTest::addRow("set") << V::set({V::integer(1)}) << QByteArray(R"({"__set__":[1]})");
        QTest::addRow("frozenset") << V::frozenSet({}) << QByteArray(R"({"__frozenset__":[]})");
        QTest::addRow("dict order kept") << V::dict({{s("z"), V::integer(1)}, {s("a"), V::integer(2)}, {s("m"), V::none()}})
                                         << QByteArray(R"({"z":1,"a":2,"m":null})");
        QTest::addRow("dict non-str keys") << V::dict({{V::integer(1), s("x")}, {s("a"), V::integer(2)}})
                                           << QByteArray(R"({"__dict__":[[1,"x"],["a",2]]})");
        QTest::addRow("dict tag-like key") << V::dict({{s("__int__"), s("5")}})
                                           << QByteArray(R"({"__dict__":[["__int__","5"]]})");
        PyValue::Object o;
        o.module = "decimal";
        o.name = "Decimal";
        o.construction = PyValue::Object::Construction::Reduce;
        o.args = std::make_shared<PyValue::Items>(PyValue::Items{s("1.25")});
        QTest::addRow("object") << V::object(o) << QByteArray(R"({"__object__":"decimal.Decimal","args":["1.25"]})");
        PyValue::Object u;
        u.module = "uuid";
        u.name = "UUID";
        u.construction = PyValue::Object::Construction::NewObj;
        u.args = std::make_shared<PyValue::Items>();
        u.state = std::make_shared<PyValue>(V::dict({{s("int"), V::integer(1)}}));
        QTest::addRow("object with state") << V::object(u)
                                           << QByteArray(R"({"__object__":"uuid.UUID","new":true,"args":[],"state":{"int":1}})");
    }
    void encodesEachKind()
    {
        QFETCH(PyValue, value);
        QFETCH(QByteArray, json);
        QCOMPARE(ValueJson::toJson(value), json);
        // and it parses back to the same value
        auto back = ValueJson::fromJson(json);
        CHECK_OK(back);
        if (qstrcmp(QTest::currentDataTag(), "invalid utf8") != 0)
            QVERIFY2(*back == value, qPrintable(back->repr()));
    }

    // Everything Python can pickle here turns into JSON that Python's json module accepts,
    // and the JSON parses back to an equal value (pretty or compact).
    void pickledValuesRoundTrip()
    {
        const QString expr = QStringLiteral(
            "[None, True, 2**70, -2**53, 1.5, float('nan'), 'é\\U0001F600\\n\"', '\\ud800', b'\\x00\\xff', bytearray(b'x'),"
            " (1, (2,)), {1, 2}, frozenset(), {'b': 1, 'a': [2, {'c': None}]}, {1: 2, (3,): 4},"
            " datetime.datetime(2024, 1, 2), decimal.Decimal('1.5'), uuid.UUID(int=1), collections.OrderedDict(a=1),"
            " list(range(100))]");
        auto pickled = test::runPython(QStringLiteral("import sys, pickle, datetime, decimal, uuid, collections\n"
                                                      "sys.stdout.write(pickle.dumps(%1, 5).hex())").arg(expr));
        CHECK_OK(pickled);
        auto value = PickleReader().loads(QByteArray::fromHex(*pickled));
        CHECK_OK(value);
        for (bool pretty : {false, true}) {
            const QByteArray json = ValueJson::toJson(*value, pretty);
            auto check = test::runPython(QStringLiteral("import sys, json\nv = json.loads(sys.stdin.buffer.read())\n"
                                                        "print(len(v), list(v[13].keys()))"),
                                         {}, json);
            CHECK_OK(check);
            QCOMPARE(check->trimmed(), QByteArray("20 ['b', 'a']"));
            auto back = ValueJson::fromJson(json);
            CHECK_OK(back);
            // the lone surrogate is replaced on output, everything else survives
            PyValue expected = *value;
            auto items = expected.items();
            items[7] = V::str(QByteArray("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd")); // one per byte, as Python's "replace"
            QCOMPARE(back->items().size(), items.size());
            for (size_t i = 0; i < items.size(); ++i)
                QVERIFY2(items[i] == back->items()[i], qPrintable(QString::number(i) + u' ' + QString::fromLatin1(back->items()[i].bytesData().toHex())));
            QCOMPARE(ValueJson::toJson(*back, pretty), json);
        }
    }

    // A call of a call's result (zoneinfo's getattr(ZoneInfo, "_unpickle")(key, 1)) keeps what
    // was called as "callable": the JSON reads back to the same value, which writes Python's bytes.
    void callsOfCallResultsRoundTrip()
    {
        auto pickled = test::runPython(QStringLiteral("import sys, pickle, datetime\nfrom zoneinfo import ZoneInfo\n"
                                                      "sys.stdout.write(pickle.dumps([datetime.datetime(2024, 2, 3, 4, 5, tzinfo=ZoneInfo('Asia/Tokyo'))], 5).hex())"));
        CHECK_OK(pickled);
        auto value = PickleReader().loads(QByteArray::fromHex(*pickled));
        CHECK_OK(value);
        const QByteArray json = ValueJson::toJson(*value, false);
        QVERIFY2(json.contains(R"("__object__":"zoneinfo.ZoneInfo._unpickle","module":"zoneinfo","callable":{"__object__":"builtins.getattr")"),
                 json.constData());
        auto back = ValueJson::fromJson(json);
        CHECK_OK(back);
        QVERIFY(*back == *value);
        auto written = PickleWriter(5).dumps(*back);
        CHECK_OK(written);
        QCOMPARE(written->toHex(), pickled->toLower());
    }

    void prettyIsIndented()
    {
        const QByteArray json = ValueJson::toJson(V::dict({{s("a"), V::list({V::integer(1)})}}), true);
        QCOMPARE(json, QByteArray("{\n  \"a\": [\n    1\n  ]\n}"));
    }

    void parsesStandardJson()
    {
        auto v = ValueJson::fromJson(" { \"k\" : [1, -2.5e3, true, null, \"\\u00e9\\ud83d\\ude00\\/\"] } ");
        CHECK_OK(v);
        const PyValue *k = v->get("k");
        QVERIFY(k);
        QCOMPARE(k->items().size(), size_t(5));
        QCOMPARE(k->items()[1].toFloat(), -2500.0);
        QCOMPARE(k->items()[4].toQString(), QStringLiteral("é\U0001F600/"));
        auto big = ValueJson::fromJson("123456789012345678901234567890");
        CHECK_OK(big);
        QCOMPARE(big->bigIntDecimal(), QByteArray("123456789012345678901234567890"));
    }

    void errorsCarryLineAndColumn_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::addRow("empty") << QByteArray("") << QStringLiteral("unexpected end of input at line 1, column 1");
        QTest::addRow("trailing") << QByteArray("[1] x") << QStringLiteral("unexpected data after the value at line 1, column 5");
        QTest::addRow("missing comma") << QByteArray("[1,\n 2\n 3]") << QStringLiteral("expected ',' or ']' at line 3, column 2");
        QTest::addRow("bad literal") << QByteArray("{\"a\": tru}") << QStringLiteral("invalid literal at line 1, column 7");
        QTest::addRow("unterminated") << QByteArray("\"abc") << QStringLiteral("unterminated string");
        QTest::addRow("bad escape") << QByteArray("\"\\q\"") << QStringLiteral("invalid escape at line 1, column 3");
        QTest::addRow("key not string") << QByteArray("{1: 2}") << QStringLiteral("expected a string key at line 1, column 2");
        QTest::addRow("bad number") << QByteArray("-x") << QStringLiteral("invalid number");
        QTest::addRow("bad base64") << QByteArray("{\"__bytes__\": \"@@@\"}") << QStringLiteral("__bytes__ is not valid base64 at line 1, column 1");
        QTest::addRow("bad int tag") << QByteArray("[0, {\"__int__\": \"12a\"}]") << QStringLiteral("__int__ needs a decimal string at line 1, column 5");
        QTest::addRow("bad float tag") << QByteArray("{\"__float__\": \"big\"}") << QStringLiteral("__float__ must be");
        QTest::addRow("extra member") << QByteArray("{\"__tuple__\": [], \"x\": 1}") << QStringLiteral("__tuple__ must be the only member");
        QTest::addRow("too deep") << QByteArray(5000, '[') + QByteArray(5000, ']') << QStringLiteral("nesting deeper than");
    }
    void errorsCarryLineAndColumn()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        auto r = ValueJson::fromJson(json);
        QVERIFY(!r);
        QVERIFY2(r.error().startsWith(QStringLiteral("JSON: ")), qPrintable(r.error()));
        QVERIFY2(r.error().contains(expected), qPrintable(r.error()));
    }

    void cyclicHandBuiltValueStillTerminates()
    {
        PyValue l = V::list();
        l.items().push_back(l); // a cycle only code can build; the reader refuses them
        const QByteArray json = ValueJson::toJson(l);
        QVERIFY(json.startsWith("[[[["));
        QVERIFY(json.contains("null"));
        l.items().clear(); // break the cycle so it is freed
    }
};

QTEST_GUILESS_MAIN(TestValueJson)
#include "tst_valuejson.moc"
