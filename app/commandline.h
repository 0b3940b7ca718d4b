#pragma once

// The one command-line parser of `cachescope`: every sub-command and the window parse with it, so
// they share the option syntax, the --help layout, the error wording and the exit codes
// (0 done, 1 the operation failed, 2 usage error).
//
// How to add a command, e.g. `cachescope foo`:
//   1. app/foocommand.{h,cpp} with `int runFooCommand(const QStringList &args);`
//   2. Declare, parse, act:
//        CommandLine cl(QStringLiteral("foo"), QStringLiteral("What foo does, in a sentence or two."));
//        cl.setSynopsis(QStringLiteral("(--redis URL [--prefix P] | --dir DIR | --config F --cache PURPOSE) KEY"));
//        cl.addCacheTargetOptions();            // --redis --prefix --dir --config --cache + --env...
//        cl.addJsonOption();                    // --json
//        cl.addInteger(QStringLiteral("limit"), QStringLiteral("N"), QStringLiteral("Stop after N keys."), 0);
//        cl.addPositional(QStringLiteral("KEY"), QStringLiteral("The cache key.")); // counted by parse()
//        if (const auto exit = cl.parse(args))
//            return *exit;                      // --help was printed (0) or a usage error reported (2)
//        int status = 0;
//        const auto target = cacheTarget(cl, &status); // commandtarget.h: the cache the options name
//        if (!target)
//            return status;
//        ... cl.isSet("json"), cl.value("prefix"), cl.integer("limit", -1), cl.positionals() ...
//        return cl.fail(message);               // exit 1, "cachescope foo: message" on stderr
//                                               // (cl.usageError(message): exit 2)
//   3. Add a row to kSubCommands in app/application.cpp (name, function, one-line summary).
// Other kinds: addFlag, addOption (text), addOptionalValue (--statsd [ADDR]), addNumber (a checked
// double); setGroup starts a titled block of --help. A command that loads a config without naming
// one cache (stats): addEnvironmentOptions(), then cl.environment().loaderOptions(...).
// In-process tests: setOutput() collects stdout/stderr (see runConfigCommand in configcommand.h).
//
// Syntax: --name VALUE or --name=VALUE; -h/--help anywhere. An option that takes a value takes the
// next argument whatever it looks like (--timeout -1 reaches the range check). An argument that
// begins with '-' and is no option is a value when it is a JSON number (`set KEY -1`); anything
// else, `--` first (`get -- -key`). A lone `-` (standard input) is a value. Options may come
// before, between or after the positional arguments; a repeated option keeps every value (value()
// is the last one, values() all).

#include "config/configcommandline.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <limits>
#include <optional>

namespace cachescope {

class CommandLine
{
public:
    // `command` is the sub-command ("cache", "config show"); empty for the window (`cachescope`).
    CommandLine(QString command, QString description);

    // What follows "Usage: cachescope <command> " in --help; more lines may follow ('\n').
    void setSynopsis(QString synopsis);

    // Options of the current group (printed under its title in --help; "Options" by default).
    void setGroup(QString title);
    void addFlag(const QString &name, const QString &description);
    void addOption(const QString &name, const QString &valueName, const QString &description,
                   const QString &defaultValue = {});
    // --name [VALUE]: a flag that may take a value (the next argument unless it begins with '-').
    void addOptionalValue(const QString &name, const QString &valueName, const QString &description,
                          const QString &defaultValue);
    // Values checked while parsing; a bad one is a usage error naming the option and the range.
    void addInteger(const QString &name, const QString &valueName, const QString &description, qint64 min,
                    qint64 max = std::numeric_limits<qint64>::max(), const QString &defaultValue = {});
    // A finite number; `min` is excluded when `minExclusive` (--interval > 0).
    void addNumber(const QString &name, const QString &valueName, const QString &description, double min,
                   bool minExclusive, const QString &defaultValue = {});

    // The shared groups.
    void addJsonOption(const QString &description = QStringLiteral("Print JSON."));
    // --env, --env-file, --no-process-env, --pythonpath: what os.environ holds while a
    // superset_config.py is evaluated (every command that loads one takes them); see environment().
    void addEnvironmentOptions();
    // Where a cache is (commandtarget.h resolves them): --redis URL, --memcached SERVERS,
    // --prefix P, --dir DIR, --config FILE --cache PURPOSE (which brings the environment options).
    enum Target { RedisTarget = 1, DirectoryTarget = 2, ConfigTarget = 4, MemcachedTarget = 8, AnyTarget = 15 };
    void addCacheTargetOptions(int targets = AnyTarget);

    // The positional arguments, in order: parse() refuses a missing required one ("missing FILE")
    // and any beyond the last declared ("unexpected argument 'x'"). Required ones come first.
    enum class Arity { Required, Optional };
    void addPositional(const QString &name, const QString &description, Arity arity = Arity::Required);
    // An extra titled block in --help (the window lists the commands this way).
    void addHelpSection(const QString &title, const QList<QPair<QString, QString>> &rows);

    // Parses. nullopt: go on. Otherwise the exit status to return at once: 0 after --help was
    // printed on stdout, 2 after a usage error was reported on stderr.
    std::optional<int> parse(const QStringList &args);

    bool hasOption(const QString &name) const { return find(name) != nullptr; }
    bool isSet(const QString &name) const;
    QString value(const QString &name) const; // the last value given, else the default
    QStringList values(const QString &name) const;
    qint64 integer(const QString &name, qint64 fallback) const; // an addInteger option, fallback if unset
    double number(const QString &name, double fallback) const;  // an addNumber option
    const QStringList &positionals() const { return m_positionals; }
    // The environment options as the config loader takes them (addEnvironmentOptions).
    const ConfigCommandLine::EnvironmentArgs &environment() const { return m_environment; }

    QByteArray helpText() const;
    // "cachescope <command>: message" on stderr; exit status 1.
    int fail(const QString &message) const;
    // The same, plus where to find the usage; exit status 2.
    int usageError(const QString &message) const;
    // A note on stderr that is not a failure ("cachescope <command>: ...").
    void note(const QString &message) const;

    // Where the output goes; stdout/stderr unless a caller (a test in-process) redirects them.
    void setOutput(QByteArray *out, QByteArray *err);

    // -h or --help before any `--`: parse() prints the help whatever else is there.
    static bool asksForHelp(const QStringList &args);
    // A value that begins with '-' but is no option: a JSON number such as -1, -0.5e3, -Infinity.
    static bool isNegativeNumber(const QString &argument);

private:
    enum class Kind { Flag, Value, OptionalValue, Integer, Number };
    struct Option
    {
        QString name;
        QString valueName;
        QString description;
        QString defaultValue;
        QString group;
        Kind kind = Kind::Value;
        double min = 0, max = 0;
        bool minExclusive = false;
    };
    void add(Option option);
    const Option *find(const QString &name) const;
    QString checkValue(const Option &option, const QString &value) const; // empty if fine
    QString finishEnvironment();
    void write(bool toErr, const QByteArray &bytes) const;

    QString m_command;
    QString m_description;
    QString m_synopsis;
    QString m_group = QStringLiteral("Options"); // kHelpGroup
    QList<Option> m_options;
    QList<QPair<QString, QString>> m_positionalHelp;
    int m_requiredPositionals = 0;
    QList<QPair<QString, QList<QPair<QString, QString>>>> m_sections;
    QHash<QString, QStringList> m_values;
    QStringList m_positionals;
    ConfigCommandLine::EnvironmentArgs m_environment;
    QByteArray *m_out = nullptr;
    QByteArray *m_err = nullptr;
};

} // namespace cachescope
