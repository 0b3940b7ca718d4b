// PickleWriter must produce exactly the bytes CPython 3.11's pickle.dumps produces.
#include "codec/picklereader.h"
#include "codec/picklewriter.h"

#include "python.h"
#include "checkok.h"

#include <QHash>
#include <QTest>

using namespace cachescope;

// QVERIFY2 evaluates its message eagerly; error() is only valid on failure.
namespace {

// Every expression is evaluated by /usr/bin/python3 and pickled with each protocol; one
// process for the whole table keeps the test quick.
const char *const kExpressions[] = {
    // scalars
    "None", "True", "False",
    "0", "1", "255", "256", "65535", "65536", "-1", "-255", "-256", "-2**31", "2**31", "2**31-1", "-2**31-1",
    "2**32", "2**63", "2**63-1", "-2**63", "-2**63-1", "2**64", "2**70", "-(2**200)", "2**2100", "-(2**2100)",
    "0.0", "-0.0", "1.5", "float('nan')", "float('inf')", "float('-inf')", "1e308", "1e-300", "0.1", "123456789.125",
    "1e16", "1e-5", "5e-324", "-2.5e-7",
    // str
    "''", "'hello'", "'\\u00e9t\\u00e9'", "'\\U0001F600'", "'a'*255", "'a'*256", "'\\U0001F600'*64",
    "'a'*65535", "'a'*65536", "'z'*200000", "'line\\nbreak\\\\ and \\x00 nul \\r \\x1a'",
    // bytes / bytearray
    "b''", "bytes(range(255))", "bytes(range(256))", "b'\\x00'*256", "b'a'*65535", "b'b'*65536", "bytes(200000)",
    "bytearray()", "bytearray(b'ab')", "bytearray(70000)",
    // containers
    "[]", "()", "{}", "set()", "frozenset()", "[1, [2, [3, []]]]", "(1,)", "(1, 2)", "(1, 2, 3)", "(1, 2, 3, 4)",
    "((),)", "{'a': 1, 'b': [1, 2], 'c': {'d': None}}", "{1: 'x', (1, 2): None, 2.5: b'y'}", "{1, 2, 3}",
    "frozenset([3])", "[frozenset([1, 2]), {4}, (5, (6, (7,)))]",
    "list(range(1000))", "list(range(1001))", "list(range(2500))", "list(range(-500, 500))",
    "{i: str(i) for i in range(1000)}", "{i: str(i) for i in range(1001)}", "{str(i): i for i in range(2345)}",
    "set(range(1000))", "set(range(2001))", "frozenset(range(1500))", "tuple(range(1200))",
    // mixed, more than 64 KiB in total (frames are committed at 64 KiB)
    "[str(i) * 100 for i in range(2000)]", "{'k%d' % i: [b'x' * 500, i, float(i)] for i in range(500)}",
    "['a' * 70000, 'b', b'c' * 70000, [1], bytearray(65536), 'd' * 65535]",
    "[(i, str(i) * 700) for i in range(300)]", "[[str(i) * 1000] for i in range(100)]",
    "[b'x' * 65533, 'y']", "[b'x' * 65536, b'y' * 3]", "{'big': 'q' * 100000, 'small': [1, 2, 3]}",
    // shared references (memo by identity)
    "(lambda l: [l, l, (l, l)])([1, 2])", "(lambda s: [s, s, {s: s}])('shared' + str(1))",
    "(lambda d: {'a': d, 'b': d})({'x': 1})", "(lambda t: [t, t])((1, 2))", "(lambda b: [b, b])(b'ab' * 3)",
    "(lambda s: [s, (s, s)])({1, 2})", "(lambda f: [f, f])(frozenset([9]))",
    "(lambda big: [big, big])('w' * 70000)",
    "(lambda t: (t, t))((lambda l: (l, l))([3]))",
};

QHash<QString, QByteArray> g_pickles; // "proto|expr" -> bytes

QByteArray fromPython(int proto, const char *expr)
{
    return g_pickles.value(QString::number(proto) + u'|' + QString::fromUtf8(expr));
}

QString hexDiff(const QByteArray &a, const QByteArray &b)
{
    qsizetype i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i])
        ++i;
    return QStringLiteral("first difference at %1 of %2/%3: ours %4 python %5")
        .arg(i)
        .arg(a.size())
        .arg(b.size())
        .arg(QString::fromLatin1(a.mid(std::max<qsizetype>(0, i - 8), 24).toHex(' ')),
             QString::fromLatin1(b.mid(std::max<qsizetype>(0, i - 8), 24).toHex(' ')));
}

} // namespace

class TestPickleWriter : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QByteArray input;
        for (const char *e : kExpressions)
            input += QByteArray(e) + '\n';
        const QString script = QStringLiteral(
            "import sys, pickle\n"
            "for line in sys.stdin.read().splitlines():\n"
            "    v = eval(line)\n"
            "    print(' '.join(pickle.dumps(v, p).hex() for p in range(6)))\n");
        auto out = test::runPython(script, {}, input);
        CHECK_OK(out);
        const QList<QByteArray> lines = out->split('\n');
        QVERIFY(lines.size() >= int(std::size(kExpressions)));
        for (size_t i = 0; i < std::size(kExpressions); ++i) {
            const QList<QByteArray> perProto = lines[qsizetype(i)].split(' ');
            QCOMPARE(perProto.size(), 6);
            for (int p = 0; p < 6; ++p)
                g_pickles.insert(QString::number(p) + u'|' + QString::fromUtf8(kExpressions[i]),
                                 QByteArray::fromHex(perProto[p]));
        }
    }

    // Read Python's pickle, write it back: identical bytes, for protocols 0-5.
    void roundTripIsByteIdentical_data()
    {
        QTest::addColumn<int>("proto");
        QTest::addColumn<QString>("expr");
        for (int p = 5; p >= 0; --p)
            for (const char *e : kExpressions)
                QTest::addRow("p%d %s", p, QByteArray(e).left(60).constData()) << p << QString::fromUtf8(e);
    }
    void roundTripIsByteIdentical()
    {
        QFETCH(int, proto);
        QFETCH(QString, expr);
        const QByteArray python = fromPython(proto, expr.toUtf8().constData());
        QVERIFY(!python.isEmpty());
        auto value = PickleReader().loads(python);
        CHECK_OK(value);
        auto ours = PickleWriter(proto).dumps(*value);
        CHECK_OK(ours);
        QVERIFY2(*ours == python, qPrintable(hexDiff(*ours, python)));
    }

    // Values built by hand (not through the reader) against Python's bytes.
    void handBuiltValues()
    {
        using V = PyValue;
        struct Case
        {
            const char *expr;
            PyValue value;
        };
        V shared = V::list({V::integer(1), V::integer(2)});
        V sharedStr = V::str(QByteArray("shared1"));
        V::Items big;
        for (int i = 0; i < 2000; ++i)
            big.push_back(V::str(QByteArray::number(i).repeated(100)));
        V::Pairs bigDict;
        for (int i = 0; i < 1001; ++i)
            bigDict.emplace_back(V::integer(i), V::str(QByteArray::number(i)));
        const std::vector<Case> cases = {
            {"None", V::none()},
            {"True", V::boolean(true)},
            {"2**31", V::integer(qint64(1) << 31)},
            {"-2**63", V::integer(std::numeric_limits<qint64>::min())},
            {"2**70", V::bigIntegerFromDecimal("1180591620717411303424")},
            {"-(2**200)", V::bigIntegerFromDecimal("-1606938044258990275541962092341162602522202993782792835301376")},
            {"float('-inf')", V::floating(-std::numeric_limits<double>::infinity())},
            {"1.5", V::floating(1.5)},
            {"'\\U0001F600'", V::str(QString(QStringLiteral("\U0001F600")))},
            // Top-level short strs take PickleWriter's fast path (<= 255 UTF-8 bytes).
            {"''", V::str(QByteArray(""))},
            {"'xxx'", V::str(QByteArray("xxx"))},
            {"'a'*255", V::str(QByteArray(255, 'a'))},
            {"'a'*256", V::str(QByteArray(256, 'a'))},
            {"'\u00e9'*127", V::str(QString(127, QChar(0xe9)))},
            {"'a'*65536", V::str(QByteArray(65536, 'a'))},
            {"b'b'*65536", V::bytes(QByteArray(65536, 'b'))},
            {"bytearray(b'ab')", V::byteArray(QByteArray("ab"))},
            {"[1, 'a', 1.5, None, True]",
             V::list({V::integer(1), V::str(QByteArray("a")), V::floating(1.5), V::none(), V::boolean(true)})},
            {"(1, 2, 3, 4)", V::tuple({V::integer(1), V::integer(2), V::integer(3), V::integer(4)})},
            {"{'a': 1, 'b': (2,)}",
             V::dict({{V::str(QByteArray("a")), V::integer(1)}, {V::str(QByteArray("b")), V::tuple({V::integer(2)})}})},
            {"{1, 2, 3}", V::set({V::integer(1), V::integer(2), V::integer(3)})},
            {"frozenset([3])", V::frozenSet({V::integer(3)})},
            {"(lambda l: [l, l, (l, l)])([1, 2])", V::list({shared, shared, V::tuple({shared, shared})})},
            {"(lambda s: [s, s, {s: s}])('shared' + str(1))",
             V::list({sharedStr, sharedStr, V::dict({{sharedStr, sharedStr}})})},
            {"[str(i) * 100 for i in range(2000)]", V::list(big)},
            {"{i: str(i) for i in range(1001)}", V::dict(bigDict)},
        };
        QByteArray input;
        for (const auto &c : cases)
            input += QByteArray(c.expr) + '\n';
        auto out = test::runPython(QStringLiteral("import sys, pickle\n"
                                                  "for line in sys.stdin.read().splitlines():\n"
                                                  "    print(pickle.dumps(eval(line), 5).hex(), pickle.dumps(eval(line), 4).hex())\n"),
                                   {}, input);
        CHECK_OK(out);
        const QList<QByteArray> lines = out->split('\n');
        for (size_t i = 0; i < cases.size(); ++i) {
            const QList<QByteArray> both = lines[qsizetype(i)].split(' ');
            for (int k = 0; k < 2; ++k) {
                const int proto = k == 0 ? 5 : 4;
                auto ours = PickleWriter(proto).dumps(cases[i].value);
                CHECK_OK(ours);
                const QByteArray python = QByteArray::fromHex(both[k]);
                QVERIFY2(*ours == python, qPrintable(QString::fromUtf8(cases[i].expr) + u' ' + QString::number(proto)
                                                     + u' ' + hexDiff(*ours, python)));
            }
        }
    }

    // Object nodes (datetime, Decimal, UUID, OrderedDict, ...) written back are loaded by
    // Python into values equal to the originals.
    void objectsLoadInPython_data()
    {
        QTest::addColumn<int>("proto");
        for (int p = 2; p <= 5; ++p)
            QTest::addRow("p%d", p) << p;
    }
    void objectsLoadInPython()
    {
        QFETCH(int, proto);
        const QString exprs = QStringLiteral(
            "[datetime.datetime(2024, 1, 2, 3, 4, 5, 6), datetime.date(2024, 1, 2), datetime.timedelta(1, 2, 3),"
            " datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc), decimal.Decimal('1.25'),"
            " uuid.UUID(int=1), collections.OrderedDict(a=1, b=[2]), slice(0, 5, 1), complex(1, 2),"
            " collections.Counter('aab'), collections.defaultdict(list, {'k': [1]})]");
        const QString setup = QStringLiteral("import sys, pickle, datetime, decimal, uuid, collections\n");
        auto src = test::runPython(setup + QStringLiteral("sys.stdout.write(pickle.dumps(%1, %2).hex())").arg(exprs).arg(proto));
        CHECK_OK(src);
        auto value = PickleReader().loads(QByteArray::fromHex(*src));
        CHECK_OK(value);
        auto ours = PickleWriter(proto).dumps(*value);
        CHECK_OK(ours);
        auto check = test::runPython(
            setup + QStringLiteral("v = pickle.loads(bytes.fromhex(sys.stdin.read()))\n"
                                   "assert v == %1, repr(v)\nprint('ok')\n").arg(exprs),
            {}, ours->toHex());
        CHECK_OK(check);
        QCOMPARE(check->trimmed(), QByteArray("ok"));
    }

    // Real cache payloads: pandas/numpy/datetime pickles read into Object nodes and written
    // back are byte-identical to what Python wrote (globals, memo and frames included).
    void libraryPicklesRoundTripByteIdentical_data()
    {
        QTest::addColumn<QString>("expr");
        QTest::addColumn<int>("proto");
        const char *const exprs[] = {
            "pd.DataFrame({'a': [1, 2], 'b': [1.5, None], 'c': ['x', None]})",
            "pd.DataFrame({'n': ['user%d' % i for i in range(3000)], 'x': np.arange(3000.0), 't': pd.date_range('2024-01-01', periods=3000, freq='H')})",
            "pd.Series([1, 2, 3], name='s')",
            "np.arange(12).reshape(3, 4)",
            "[datetime.datetime(2024, 1, 2, 3, 4, 5, 6), datetime.date(2024, 1, 2), decimal.Decimal('1.25'), uuid.UUID(int=1)]",
            "collections.OrderedDict((str(i), i) for i in range(1500))",
        };
        for (const char *e : exprs)
            for (int p : {5, 4, 2})
                QTest::addRow("p%d %s", p, QByteArray(e).left(50).constData()) << QString::fromUtf8(e) << p;
    }
    void libraryPicklesRoundTripByteIdentical()
    {
        QFETCH(QString, expr);
        QFETCH(int, proto);
        auto src = test::runPython(QStringLiteral("import sys, pickle, datetime, decimal, uuid, collections\n"
                                                  "import numpy as np, pandas as pd\n"
                                                  "sys.stdout.write(pickle.dumps(%1, %2).hex())").arg(expr).arg(proto));
        CHECK_OK(src);
        const QByteArray python = QByteArray::fromHex(*src);
        auto value = PickleReader().loads(python);
        CHECK_OK(value);
        auto ours = PickleWriter(proto).dumps(*value);
        CHECK_OK(ours);
        QVERIFY2(*ours == python, qPrintable(hexDiff(*ours, python)));
    }

    void rejectsBadProtocol()
    {
        auto r = PickleWriter(6).dumps(PyValue::none());
        QVERIFY(!r);
        QVERIFY(r.error().contains(QStringLiteral("protocol")));
    }
};

QTEST_GUILESS_MAIN(TestPickleWriter)
#include "tst_picklewriter.moc"
