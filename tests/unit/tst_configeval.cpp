// The safe evaluator: Python semantics for the constructs real superset_config.py files use.
#include "config/configevaluator.h"
#include "config/configjson.h"
#include "config/configloader.h"
#include "config/pyparser.h"

#include "python.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace cachescope;

namespace {

QString readFixture(const QString &name)
{
    QFile f(test::sourcePath(QStringLiteral("tests/fixtures/configs/unit/") + name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture");
    return QString::fromUtf8(f.readAll());
}

ConfigReport load(const QString &src, QHash<QString, QString> env = {})
{
    ConfigLoader::Options o;
    o.environment = std::move(env);
    return ConfigLoader::loadSource(src, QStringLiteral("superset_config.py"), o);
}

QByteArray val(const ConfigReport &r, const QString &name)
{
    py::ValuePtr v = r.setting(name);
    return v ? ConfigJson::value(v, true) : QByteArray("<undefined>");
}

bool hasCode(const ConfigReport &r, const QString &code)
{
    for (const auto &d : r.diagnostics)
        if (d.code == code)
            return true;
    return false;
}

} // namespace

class TestConfigEval : public QObject
{
    Q_OBJECT
private slots:
    void expressions_data()
    {
        QTest::addColumn<QString>("expr");
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("arith") << "60 * 60 * 24" << QByteArray("86400");
        QTest::newRow("floordiv-neg") << "-7 // 2" << QByteArray("-4");
        QTest::newRow("mod-neg") << "-7 % 3" << QByteArray("2");
        QTest::newRow("truediv") << "7 / 2" << QByteArray("3.5");
        QTest::newRow("float-repr") << "0.1 + 0.2" << QByteArray("0.30000000000000004");
        QTest::newRow("pow") << "2 ** 10" << QByteArray("1024");
        QTest::newRow("concat") << "'a' + 'b' * 3" << QByteArray("\"abbb\"");
        QTest::newRow("percent") << "'redis://%s:%d/%s' % ('h', 6379, 1)" << QByteArray("\"redis://h:6379/1\"");
        QTest::newRow("percent-float") << "'%.2f|%5d|%-4s|%x' % (3.14159, 42, 'ab', 255)" << QByteArray("\"3.14|   42|ab  |ff\"");
        QTest::newRow("percent-map") << "'%(a)s-%(b)r' % {'a': 1, 'b': 'x'}" << QByteArray("\"1-'x'\"");
        QTest::newRow("format") << "'{}:{}/{db}'.format('h', 6379, db=2)" << QByteArray("\"h:6379/2\"");
        QTest::newRow("format-spec") << "'{0:>5}|{1:.3f}|{2:,}|{3!r}'.format('a', 2.5, 1234567, 'q')" << QByteArray("\"    a|2.500|1,234,567|'q'\"");
        QTest::newRow("fstring") << "f\"{'x'.upper()}-{1+2:03d}-{ {'k': 5}['k'] }\"" << QByteArray("\"X-003-5\"");
        QTest::newRow("fstring-nested-quotes") << "f'{\"a\" + \"b\"!r}'" << QByteArray("\"'ab'\"");
        QTest::newRow("fstring-selfdoc") << "f'{1+1=}'" << QByteArray("\"1+1=2\"");
        QTest::newRow("adjacent") << "'a' 'b' f'{1}' r'\\n'" << QByteArray("\"ab1\\\\n\"");
        QTest::newRow("bytes") << "b'ab' + b'\\x00'" << QByteArray("{\"__bytes__\":\"YWIA\"}");
        QTest::newRow("tuple-index") << "('a', 'b')[True]" << QByteArray("\"b\"");
        QTest::newRow("ifexp") << "'x' if 0 else 'y'" << QByteArray("\"y\"");
        QTest::newRow("or") << "None or 'default'" << QByteArray("\"default\"");
        QTest::newRow("and") << "'' and 'x'" << QByteArray("\"\"");
        QTest::newRow("split") << "'a, b,c'.split(',')" << QByteArray("[\"a\",\" b\",\"c\"]");
        QTest::newRow("split-ws") << "'  a  b '.split()" << QByteArray("[\"a\",\"b\"]");
        QTest::newRow("split-max") << "'a:b:c'.split(':', 1)" << QByteArray("[\"a\",\"b:c\"]");
        QTest::newRow("rsplit-max") << "'a:b:c'.rsplit(':', 1)" << QByteArray("[\"a:b\",\"c\"]");
        QTest::newRow("strip") << "'xxhixx'.strip('x') + '  q '.lstrip() + '/p/'.rstrip('/')" << QByteArray("\"hiq /p\"");
        QTest::newRow("replace") << "'a-b-c'.replace('-', '_', 1)" << QByteArray("\"a_b-c\"");
        QTest::newRow("lower") << "'TrUe'.lower() in ('true', '1')" << QByteArray("true");
        QTest::newRow("slice") << "'redis://host'[8:] + 'abc'[::-1]" << QByteArray("\"hostcba\"");
        QTest::newRow("int-str") << "int('42') + int(' 7 ') + int(3.9)" << QByteArray("52");
        QTest::newRow("bool-str") << "bool('False')" << QByteArray("true");
        QTest::newRow("str-int") << "str(5) + str(None) + str(True)" << QByteArray("\"5NoneTrue\"");
        QTest::newRow("timedelta") << "__import__ and 1" << QByteArray("1");
        QTest::newRow("chained-compare") << "1 < 2 < 3 != 4" << QByteArray("true");
        QTest::newRow("dict-merge") << "{**{'a': 1, 'b': 2}, 'a': 3}" << QByteArray("{\"a\":3,\"b\":2}");
        QTest::newRow("dict-dup-key") << "{'a': 1, 'b': 2, 'a': 5}" << QByteArray("{\"a\":5,\"b\":2}");
        QTest::newRow("dict-call") << "dict({'a': 1}, b=2, a=0)" << QByteArray("{\"a\":0,\"b\":2}");
        QTest::newRow("dict-or") << "{'a': 1} | {'b': 2}" << QByteArray("{\"a\":1,\"b\":2}");
        QTest::newRow("listcomp") << "[x * 2 for x in range(5) if x % 2]" << QByteArray("[2,6]");
        QTest::newRow("dictcomp") << "{k: v for k, v in [('a', 1), ('b', 2)]}" << QByteArray("{\"a\":1,\"b\":2}");
        QTest::newRow("join-gen") << "','.join(str(i) for i in range(3))" << QByteArray("\"0,1,2\"");
        QTest::newRow("tuple") << "(1,)" << QByteArray("{\"__tuple__\":[1]}");
        QTest::newRow("set") << "{1, 2, 1}" << QByteArray("{\"__set__\":[1,2]}");
        QTest::newRow("nonstr-keys") << "{1: 'a'}" << QByteArray("{\"__dict__\":[[1,\"a\"]]}");
        QTest::newRow("lambda") << "(lambda a, b=2: a + b)(1)" << QByteArray("3");
        QTest::newRow("sorted") << "sorted(['b', 'a', 'c'], reverse=True)" << QByteArray("[\"c\",\"b\",\"a\"]");
        QTest::newRow("big-int") << "2 ** 60" << QByteArray("{\"__int__\":\"1152921504606846976\"}");
        QTest::newRow("repr-containers") << "str([1, 'a', (2,), {'k': None}, 1.5, b'x'])" << QByteArray("\"[1, 'a', (2,), {'k': None}, 1.5, b'x']\"");
        QTest::newRow("walrus") << "[(y := 5), y + 1]" << QByteArray("[5,6]");
    }
    void expressions()
    {
        QFETCH(QString, expr);
        QFETCH(QByteArray, json);
        const ConfigReport r = load(QStringLiteral("X = ") + expr + u'\n');
        QVERIFY2(r.loaded, qPrintable(r.error));
        QCOMPARE(val(r, QStringLiteral("X")), json);
    }

    void statements()
    {
        const ConfigReport r = load(readFixture(QStringLiteral("statements.py")),
                                    {{QStringLiteral("REDIS_PORT"), QStringLiteral("6380")}});
        QVERIFY2(r.loaded, qPrintable(r.error));
        QCOMPARE(val(r, QStringLiteral("REDIS_HOST")), QByteArray("\"redis\""));
        QCOMPARE(val(r, QStringLiteral("REDIS_PORT")), QByteArray("6380"));
        QCOMPARE(val(r, QStringLiteral("MISSING")), QByteArray("\"The environment variable NOPE was missing, abort...\""));
        QCOMPARE(val(r, QStringLiteral("TIMEOUT")), QByteArray("86400"));
        QCOMPARE(val(r, QStringLiteral("TD")), QByteArray("{\"__timedelta__\":5400}"));
        QCOMPARE(val(r, QStringLiteral("rest")), QByteArray("[2,3]"));
        QCOMPARE(val(r, QStringLiteral("X")), QByteArray("5"));
        QCOMPARE(val(r, QStringLiteral("CELERY_CONFIG")),
                 QByteArray("{\"__class__\":\"CeleryConfig\",\"attrs\":{\"broker_url\":\"redis://redis:6380/0\",\"imports\":{\"__tuple__\":[\"superset.sql_lab\"]}}}"));
        QCOMPARE(val(r, QStringLiteral("BRANCH")), QByteArray("\"elif\""));
        QCOMPARE(val(r, QStringLiteral("ALIAS")),
                 QByteArray("{\"CACHE_TYPE\":\"RedisCache\",\"CACHE_KEY_PREFIX\":\"superset_\",\"CACHE_DEFAULT_TIMEOUT\":300}"));
        QCOMPARE(val(r, QStringLiteral("DATA_CACHE_CONFIG")),
                 QByteArray("{\"CACHE_TYPE\":\"RedisCache\",\"CACHE_KEY_PREFIX\":\"data_\",\"CACHE_DEFAULT_TIMEOUT\":600}"));
        QCOMPARE(val(r, QStringLiteral("n")), QByteArray("3"));
        QCOMPARE(val(r, QStringLiteral("L")), QByteArray("[0,2,\"done\"]"));
        // The environment reads are recorded, missing ones flagged.
        bool sawMissing = false;
        for (const auto &e : r.envReads)
            if (e.name == u"NOPE" && !e.present)
                sawMissing = true;
        QVERIFY(sawMissing);
    }

    void exceptionsAsPython()
    {
        const ConfigReport r = load(readFixture(QStringLiteral("exceptions.py")));
        QVERIFY2(r.loaded, qPrintable(r.error));
        QCOMPARE(val(r, QStringLiteral("DOCKER")), QByteArray("false"));
        QCOMPARE(val(r, QStringLiteral("V")), QByteArray("\"fallback\""));
        QCOMPARE(val(r, QStringLiteral("Z")), QByteArray("\"zde\""));
        QCOMPARE(val(r, QStringLiteral("F")), QByteArray("\"finally\""));
        QCOMPARE(val(r, QStringLiteral("R")), QByteArray("\"recursion\""));
        QCOMPARE(val(r, QStringLiteral("K")), QByteArray("\"lookup\""));
    }

    void uncaughtKeyErrorFailsTheLoad()
    {
        const ConfigReport r = load(QStringLiteral("import os\nX = os.environ['SECRET_KEY']\n"));
        QVERIFY(!r.loaded);
        QVERIFY(hasCode(r, QStringLiteral("uncaught-exception")));
        QCOMPARE(r.errorSpan.line, 2);
    }

    void hostileInputIsBounded_data()
    {
        QTest::addColumn<QString>("src");
        QTest::addColumn<QString>("code");
        QTest::newRow("while-true") << "while True:\n    pass\n" << "step-limit";
        QTest::newRow("big-string") << "X = 'a' * (10 * 1024 * 1024) * 4\n" << "memory-limit";
        QTest::newRow("big-int") << "X = 10 ** 100\n" << "int-too-large";
        QTest::newRow("range") << "X = list(range(10**9))\n" << "memory-limit";
        QTest::newRow("exit") << "import sys\nif True:\n    sys.exit(1)\n" << "exit-reached";
        QTest::newRow("exit-builtin") << "exit(1)\n" << "exit-reached";
        QTest::newRow("syntax") << "X = (\n" << "syntax-error";
        QTest::newRow("deep-nesting") << QString(5000, u'(') + QString(5000, u')') << "syntax-error";
        QTest::newRow("deep-list") << QStringLiteral("X = ") + QString(1000, u'[') + QString(1000, u']') << "syntax-error";
        QTest::newRow("recursion-uncaught") << "def f():\n    return f()\nf()\n" << "uncaught-exception";
        QTest::newRow("deep-expression-recursion")
            << QStringLiteral("def f(n):\n    return ") + QString(50, u'[') + QStringLiteral("f(n)") + QString(50, u']') + QStringLiteral("\nX = f(0)\n")
            << "uncaught-exception";
        QTest::newRow("doubling") << "x = ['a']\nfor i in range(100):\n    x = x + x\n" << "memory-limit";
    }
    void hostileInputIsBounded()
    {
        QFETCH(QString, src);
        QFETCH(QString, code);
        const ConfigReport r = load(src);
        QVERIFY(!r.loaded);
        QVERIFY2(hasCode(r, code), qPrintable(r.error));
    }

    void selfContainingContainers()
    {
        const ConfigReport r = load(QStringLiteral("a = []\na.append(a)\nb = []\nb.append(b)\ntry:\n    E = a == b\nexcept RecursionError:\n    E = 'recursion'\n"
                                                   "d = {}\nd['self'] = d\nS = str(a)[:2]\n"));
        QVERIFY2(r.loaded, qPrintable(r.error));
        QCOMPARE(val(r, QStringLiteral("E")), QByteArray("\"recursion\""));
        QCOMPARE(val(r, QStringLiteral("S")), QByteArray("\"[[\""));
        QVERIFY(!ConfigJson::report(r, {false, true}).isEmpty()); // bounded output for a cyclic dict
    }

    void starImportOfARecordedPackage()
    {
        // Found by fuzz_config: a star import from a recorded (cache/stats) package has no namespace.
        const ConfigReport r = load(QStringLiteral("from superset.coofig import *\nfrom cachelib import *\nX = 1\n"));
        QVERIFY2(r.loaded, qPrintable(r.error));
        QVERIFY(hasCode(r, QStringLiteral("unknown-value")));
    }

    void namesSupersetDefinesStayResolvableAfterItsStarImport()
    {
        // superset.config is modelled in part: a name it defines that is not modelled (UPLOAD_FOLDER)
        // is an unknown after "from superset.config import *", not a NameError that fails the file.
        const ConfigReport r = load(QStringLiteral("from superset.config import *\nUP = UPLOAD_FOLDER + 'x'\nD = DATA_DIR\n"
                                                   "try:\n    P = _private\nexcept NameError:\n    P = 'private names are not imported'\n"),
                                    {{QStringLiteral("SUPERSET_HOME"), QStringLiteral("/srv/superset")}});
        QVERIFY2(r.loaded, qPrintable(r.error));
        QVERIFY(val(r, QStringLiteral("UP")).contains("__unknown__"));
        QVERIFY(val(r, QStringLiteral("UP")).contains("superset.config"));
        QCOMPARE(val(r, QStringLiteral("D")), QByteArray("\"/srv/superset\""));
        QCOMPARE(val(r, QStringLiteral("P")), QByteArray("\"private names are not imported\""));
        QVERIFY(hasCode(r, QStringLiteral("unknown-value")));
        // SUPERSET_HOME is one of the variables the file reads (through Superset's defaults)
        bool read = false;
        for (const auto &e : r.envReads)
            read = read || (e.name == u"SUPERSET_HOME" && e.present && e.span.line == 1);
        QVERIFY(read);
        // Without such an import a missing name is still Python's NameError
        const ConfigReport plain = load(QStringLiteral("X = UPLOAD_FOLDER\n"));
        QVERIFY(!plain.loaded);
        QVERIFY2(plain.error.contains(QStringLiteral("NameError")), qPrintable(plain.error));
        // And a sibling that star-imported superset.config passes that on to whoever star-imports it
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile base(dir.filePath(QStringLiteral("base_config.py")));
        QVERIFY(base.open(QIODevice::WriteOnly));
        base.write("from superset.config import *\n");
        base.close();
        QFile main(dir.filePath(QStringLiteral("superset_config.py")));
        QVERIFY(main.open(QIODevice::WriteOnly));
        main.write("from base_config import *\nUP = UPLOAD_FOLDER\nR = ROW_LIMIT\n");
        main.close();
        const ConfigReport viaSibling = ConfigLoader::loadFile(main.fileName(), {});
        QVERIFY2(viaSibling.loaded, qPrintable(viaSibling.error));
        QVERIFY(val(viaSibling, QStringLiteral("UP")).contains("__unknown__"));
        QCOMPARE(val(viaSibling, QStringLiteral("R")), QByteArray("50000"));
    }

    void superset_configIsTheFileItselfUnlessAnotherIsOnThePath()
    {
        // A config loaded through SUPERSET_CONFIG_PATH may extend the superset_config.py on the
        // Python path: that one is imported. The file importing itself gets its partial module.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile base(dir.filePath(QStringLiteral("superset_config.py")));
        QVERIFY(base.open(QIODevice::WriteOnly));
        base.write("from superset_config import *\nimport superset_config\nBASE = 'base'\nEARLY = superset_config.BASE\n"
                   "CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_KEY_PREFIX': 'base_'}\n");
        base.close();
        QFile local(dir.filePath(QStringLiteral("local_config.py")));
        QVERIFY(local.open(QIODevice::WriteOnly));
        local.write("from superset_config import *\nCACHE_CONFIG = {**CACHE_CONFIG, 'CACHE_KEY_PREFIX': BASE + '_local_'}\n");
        local.close();

        const ConfigReport self = ConfigLoader::loadFile(base.fileName(), {});
        QVERIFY2(self.loaded, qPrintable(self.error));
        QCOMPARE(val(self, QStringLiteral("EARLY")), QByteArray("\"base\""));
        QVERIFY(hasCode(self, QStringLiteral("self-import")));
        QVERIFY(self.evaluatedFiles.isEmpty()); // evaluated once, not again as a sibling

        const ConfigReport extending = ConfigLoader::loadFile(local.fileName(), {});
        QVERIFY2(extending.loaded, qPrintable(extending.error));
        QCOMPARE(val(extending, QStringLiteral("CACHE_CONFIG")), QByteArray("{\"CACHE_TYPE\":\"RedisCache\",\"CACHE_KEY_PREFIX\":\"base_local_\"}"));
        QVERIFY(!hasCode(extending, QStringLiteral("self-import")));
    }

    void environIsAStrToStrMapping()
    {
        const ConfigReport r = load(QStringLiteral("import os\n"
                                                   "def err(f):\n    try:\n        f()\n    except TypeError as e:\n        return str(e)\n"
                                                   "A = err(lambda: os.environ[1])\n"
                                                   "B = err(lambda: os.environ.__setitem__('K', 1)) if False else err(lambda: os.environ.update(K=1))\n"
                                                   "C = err(lambda: 1 in os.environ)\n"
                                                   "os.environ.foo = 'x'\n"
                                                   "N = len(os.environ)\n"),
                                    {{QStringLiteral("ONE"), QStringLiteral("1")}});
        QVERIFY2(r.loaded, qPrintable(r.error));
        QCOMPARE(val(r, QStringLiteral("A")), QByteArray("\"str expected, not int\""));
        QCOMPARE(val(r, QStringLiteral("B")), QByteArray("\"str expected, not int\""));
        QCOMPARE(val(r, QStringLiteral("C")), QByteArray("\"str expected, not int\""));
        QCOMPARE(val(r, QStringLiteral("N")), QByteArray("1")); // the attribute did not land in the environment
        QVERIFY(hasCode(r, QStringLiteral("unknown-value")));
    }

    void sideEffectsAreRecordedNotRun()
    {
        const QString marker = QDir::temp().filePath(QStringLiteral("cachescope_must_not_exist_%1").arg(QCoreApplication::applicationPid()));
        const ConfigReport r = load(QStringLiteral("import os, subprocess\nos.system('touch %1')\nF = open('%1', 'w')\nsubprocess.run(['touch', '%1'])\nos.makedirs('%1')\nE = eval('1+1')\n").arg(marker));
        QVERIFY2(r.loaded, qPrintable(r.error));
        QVERIFY(!QFileInfo::exists(marker));
        QVERIFY(hasCode(r, QStringLiteral("side-effect")));
        QVERIFY(val(r, QStringLiteral("F")).contains("__unknown__"));
        QVERIFY(val(r, QStringLiteral("E")).contains("__unknown__"));
    }

    void parserCoversTheGrammar()
    {
        const QString src = readFixture(QStringLiteral("grammar.py"));
        auto m = py::PyParser::parse(src);
        QVERIFY2(m.hasValue(), m.hasValue() ? "" : qPrintable(m.error()));
    }

    void syntaxErrorsAreLocated()
    {
        auto m = py::PyParser::parse(QStringLiteral("x = 1\ny = (1 +\nz = 3\n"));
        QVERIFY(!m.hasValue());
        auto m2 = py::PyParser::parse(QStringLiteral("def f(:\n    pass\n"));
        QVERIFY(!m2.hasValue());
        QVERIFY2(m2.error().contains(QStringLiteral("line 1")), qPrintable(m2.error()));
        auto m3 = py::PyParser::parse(QStringLiteral("if x:\npass\n"));
        QVERIFY(!m3.hasValue());
        QVERIFY2(m3.error().contains(QStringLiteral("line 2")), qPrintable(m3.error()));
    }

    void spansPointAtTheSource()
    {
        const ConfigReport r = load(QStringLiteral("X = 1\nCACHE_CONFIG = {\n    'CACHE_TYPE': 'RedisCache',\n    'CACHE_KEY_PREFIX': 'p_',\n}\n"));
        QVERIFY(r.loaded);
        const CacheSpec &c = r.caches.front();
        QCOMPARE(c.purpose, CachePurpose::Cache);
        QCOMPARE(c.spans.value(QStringLiteral("CACHE_KEY_PREFIX")).line, 4);
        QCOMPARE(c.spans.value(QStringLiteral("CACHE_KEY_PREFIX")).column, 5);
        QCOMPARE(c.spans.value(QStringLiteral("CACHE_TYPE")).line, 3);
    }

    void docstringSettingsDoNotCount()
    {
        const ConfigReport r = load(QStringLiteral("'''\nCACHE_CONFIG = {'CACHE_TYPE': 'RedisCache'}\n'''\n"));
        QVERIFY(r.loaded);
        QVERIFY(!r.setting(QStringLiteral("CACHE_CONFIG")));
        QCOMPARE(r.caches.front().backend, BackendType::Null);
    }
};

QTEST_GUILESS_MAIN(TestConfigEval)
#include "tst_configeval.moc"
