// The shared command-line parser (app/commandline.h) in-process: option syntax, values that look
// like options, the typed values' checks, the environment group, --help layout and error wording.
// tst_clicommands runs the same rules through the real binary for every command.
#include "commandline.h"

#include <QTest>

using namespace cachescope;

namespace {

// A command declared like the real ones, its output captured.
struct Fixture
{
    QByteArray out, err;
    CommandLine cl{QStringLiteral("demo"), QStringLiteral("A demo command.")};
    Fixture()
    {
        cl.setSynopsis(QStringLiteral("[--limit N] KEY [JSON]"));
        cl.setOutput(&out, &err);
        cl.addInteger(QStringLiteral("limit"), QStringLiteral("N"), QStringLiteral("Stop after N."), 0);
        cl.addNumber(QStringLiteral("interval"), QStringLiteral("S"), QStringLiteral("Seconds."), 0, true, QStringLiteral("1"));
        cl.addOptionalValue(QStringLiteral("statsd"), QStringLiteral("ADDR"), QStringLiteral("Listen."),
                            QStringLiteral("127.0.0.1:8125"));
        cl.addJsonOption();
        cl.addCacheTargetOptions();
        cl.addPositional(QStringLiteral("KEY"), QStringLiteral("The key."), CommandLine::Arity::Optional);
        cl.addPositional(QStringLiteral("JSON"), QStringLiteral("The value."), CommandLine::Arity::Optional);
        cl.addPositional(QStringLiteral("MORE"), QStringLiteral("One more."), CommandLine::Arity::Optional);
    }
};

} // namespace

class TestCommandLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void valuesThatLookLikeOptions_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("positionals");
        QTest::newRow("negative int") << QStringList{u"set"_qs, u"k"_qs, u"-1"_qs} << QStringList{u"set"_qs, u"k"_qs, u"-1"_qs};
        QTest::newRow("negative float") << QStringList{u"-0.5e-3"_qs} << QStringList{u"-0.5e-3"_qs};
        QTest::newRow("-Infinity") << QStringList{u"-Infinity"_qs} << QStringList{u"-Infinity"_qs};
        QTest::newRow("stdin") << QStringList{u"set"_qs, u"k"_qs, u"-"_qs} << QStringList{u"set"_qs, u"k"_qs, u"-"_qs};
        QTest::newRow("after --") << QStringList{u"--json"_qs, u"--"_qs, u"-key"_qs, u"--json"_qs}
                                  << QStringList{u"-key"_qs, u"--json"_qs};
        QTest::newRow("options between") << QStringList{u"get"_qs, u"--json"_qs, u"k"_qs} << QStringList{u"get"_qs, u"k"_qs};
        QTest::newRow("BOM kept") << QStringList{u"\ufeffk"_qs} << QStringList{u"\ufeffk"_qs};
    }
    void valuesThatLookLikeOptions()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, positionals);
        Fixture f;
        QVERIFY(!f.cl.parse(args));
        QCOMPARE(f.cl.positionals(), positionals);
        QVERIFY(f.err.isEmpty());
    }

    void optionValuesAreTakenWhateverTheyLookLike()
    {
        Fixture f;
        QVERIFY(!f.cl.parse({u"--prefix"_qs, u"-x-"_qs, u"--redis=redis://h:1/0"_qs, u"--json"_qs}));
        QCOMPARE(f.cl.value(u"prefix"_qs), u"-x-"_qs);
        QCOMPARE(f.cl.value(u"redis"_qs), u"redis://h:1/0"_qs);
        QVERIFY(f.cl.isSet(u"json"_qs));
        QVERIFY(!f.cl.isSet(u"dir"_qs));
        QCOMPARE(f.cl.integer(u"limit"_qs, -7), -7); // unset: the fallback
        QCOMPARE(f.cl.number(u"interval"_qs, 9), 1.0); // unset: the declared default
    }

    void optionalValue()
    {
        Fixture f;
        QVERIFY(!f.cl.parse({u"--statsd"_qs, u"--json"_qs}));
        QCOMPARE(f.cl.value(u"statsd"_qs), u"127.0.0.1:8125"_qs);
        QVERIFY(!f.cl.parse({u"--statsd"_qs, u"0.0.0.0:9125"_qs}));
        QCOMPARE(f.cl.value(u"statsd"_qs), u"0.0.0.0:9125"_qs);
        QVERIFY(f.cl.positionals().isEmpty());
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown long") << QStringList{u"--bogus"_qs} << u"unknown option '--bogus'"_qs;
        QTest::newRow("unknown long with value") << QStringList{u"--bogus=1"_qs} << u"unknown option '--bogus'"_qs;
        QTest::newRow("unknown short") << QStringList{u"-key"_qs}
                                       << u"unknown option '-key' (a value that begins with '-' goes after '--')"_qs;
        QTest::newRow("missing value") << QStringList{u"--prefix"_qs} << u"--prefix needs a value (P)"_qs;
        QTest::newRow("flag with value") << QStringList{u"--json=yes"_qs} << u"--json takes no value"_qs;
        QTest::newRow("negative integer") << QStringList{u"--limit"_qs, u"-1"_qs} << u"--limit needs a whole number >= 0, not '-1'"_qs;
        QTest::newRow("not an integer") << QStringList{u"--limit=1.5"_qs} << u"--limit needs a whole number >= 0, not '1.5'"_qs;
        QTest::newRow("zero interval") << QStringList{u"--interval"_qs, u"0"_qs} << u"--interval needs a number > 0, not '0'"_qs;
        QTest::newRow("nan interval") << QStringList{u"--interval"_qs, u"nan"_qs} << u"--interval needs a number > 0, not 'nan'"_qs;
        QTest::newRow("env without =") << QStringList{u"--env"_qs, u"NOEQUALS"_qs} << u"--env expects KEY=VALUE, got 'NOEQUALS'"_qs;
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        Fixture f;
        QCOMPARE(f.cl.parse(args).value_or(-1), 2);
        QCOMPARE(QString::fromUtf8(f.err),
                 u"cachescope demo: "_qs + message + u"\nRun 'cachescope demo --help' for the options.\n"_qs);
        QVERIFY(f.out.isEmpty());
    }

    void positionalCounts()
    {
        QByteArray out, err;
        CommandLine cl(QStringLiteral("record"), QStringLiteral("Records."));
        cl.setOutput(&out, &err);
        cl.addPositional(QStringLiteral("FILE"), QStringLiteral("Where."));
        cl.addPositional(QStringLiteral("NOTE"), QStringLiteral("What."), CommandLine::Arity::Optional);
        QCOMPARE(cl.parse({}).value_or(-1), 2);
        QVERIFY2(err.startsWith("cachescope record: missing FILE\n"), err.constData());
        err.clear();
        QCOMPARE(cl.parse({u"a"_qs, u"b"_qs, u"-2"_qs}).value_or(-1), 2);
        QVERIFY2(err.startsWith("cachescope record: unexpected argument '-2'\n"), err.constData());
        QVERIFY(!cl.parse({u"a"_qs}));
        QVERIFY(!cl.parse({u"--"_qs, u"-a"_qs, u"b"_qs}));
        QCOMPARE(cl.positionals(), (QStringList{u"-a"_qs, u"b"_qs}));
    }

    void failAndNoteWording()
    {
        Fixture f;
        QCOMPARE(f.cl.fail(u"cannot read x: No such file"_qs), 1);
        f.cl.note(u"recorded 3 samples"_qs);
        QCOMPARE(f.err, QByteArray("cachescope demo: cannot read x: No such file\ncachescope demo: recorded 3 samples\n"));
    }

    void environmentGroup()
    {
        Fixture f;
        QVERIFY(!f.cl.parse({u"--env"_qs, u"A=1"_qs, u"--env=B=x=y"_qs, u"--env-file"_qs, u"one.env"_qs, u"--env-file"_qs,
                             u"two.env"_qs, u"--no-process-env"_qs, u"--pythonpath"_qs, u"/lib"_qs}));
        const auto &e = f.cl.environment();
        QCOMPARE(e.overrides.value(u"A"_qs), u"1"_qs);
        QCOMPARE(e.overrides.value(u"B"_qs), u"x=y"_qs);
        QCOMPARE(e.envFiles, (QStringList{u"one.env"_qs, u"two.env"_qs}));
        QCOMPARE(e.pythonPath, QStringList{u"/lib"_qs});
        QVERIFY(e.noProcessEnv);
        // A second parse starts clean.
        QVERIFY(!f.cl.parse({}));
        QVERIFY(f.cl.environment().overrides.isEmpty() && !f.cl.environment().noProcessEnv);
    }

    void helpLayout()
    {
        Fixture f;
        QCOMPARE(f.cl.parse({u"k"_qs, u"--help"_qs, u"--bogus"_qs}).value_or(-1), 0); // --help wins wherever it is
        QVERIFY(f.err.isEmpty());
        const QString help = QString::fromUtf8(f.out);
        QVERIFY2(help.startsWith(u"Usage: cachescope demo [--limit N] KEY [JSON]\n\nA demo command.\n"_qs), qPrintable(help));
        // Sections in order, each option once, the defaults named.
        const QStringList sections{u"\nArguments:\n"_qs, u"\nOptions:\n"_qs, u"\nCache:\n"_qs,
                                   u"\nConfig environment (with --config):\n"_qs};
        qsizetype at = 0;
        for (const QString &s : sections) {
            const qsizetype found = help.indexOf(s, at);
            QVERIFY2(found > at, qPrintable(s));
            at = found;
        }
        for (const char *o : {"--limit N", "--interval S", "--statsd [ADDR]", "--json", "--redis URL", "--prefix P",
                              "--dir DIR", "--config FILE", "--cache PURPOSE", "--env K=V", "--env-file F",
                              "--no-process-env", "--pythonpath DIR", "-h, --help"})
            QCOMPARE(help.count(u"  "_qs + QLatin1String(o) + u' '), 1);
        QVERIFY(help.contains(u"Default: 1."_qs));
        QVERIFY(help.endsWith(u"Exit status: 0 done, 1 the operation failed, 2 usage error.\n"_qs));
    }

    void negativeNumbersAreJsonNumbersOnly()
    {
        for (const char *yes : {"-1", "-0", "-12.5", "-1e9", "-1E+2", "-0.25e-3", "-Infinity"})
            QVERIFY2(CommandLine::isNegativeNumber(QLatin1String(yes)), yes);
        for (const char *no : {"-", "--", "-h", "-01", "-1.", "-.5", "-1e", "-inf", "-NaN", "-1x", "--1"})
            QVERIFY2(!CommandLine::isNegativeNumber(QLatin1String(no)), no);
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
