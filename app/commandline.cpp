#include "commandline.h"

#include "clioutput.h"

#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace cachescope {

namespace {

const QString kHelpGroup = QStringLiteral("Options");
const QString kEnvironmentGroup = QStringLiteral("Config environment (with --config)");

QString dashed(const QString &name)
{
    return QString(name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name;
}

} // namespace

CommandLine::CommandLine(QString command, QString description)
    : m_command(std::move(command))
    , m_description(std::move(description))
{
}

void CommandLine::setSynopsis(QString synopsis)
{
    m_synopsis = std::move(synopsis);
}

void CommandLine::setGroup(QString title)
{
    m_group = std::move(title);
}

void CommandLine::add(Option option)
{
    Q_ASSERT(!find(option.name));
    option.group = m_group;
    m_options.append(std::move(option));
}

void CommandLine::addFlag(const QString &name, const QString &description)
{
    add({name, {}, description, {}, {}, Kind::Flag});
}

void CommandLine::addOption(const QString &name, const QString &valueName, const QString &description,
                            const QString &defaultValue)
{
    add({name, valueName, description, defaultValue, {}, Kind::Value});
}

void CommandLine::addOptionalValue(const QString &name, const QString &valueName, const QString &description,
                                   const QString &defaultValue)
{
    add({name, valueName, description, defaultValue, {}, Kind::OptionalValue});
}

void CommandLine::addInteger(const QString &name, const QString &valueName, const QString &description, qint64 min,
                             qint64 max, const QString &defaultValue)
{
    add({name, valueName, description, defaultValue, {}, Kind::Integer, double(min), double(max)});
}

void CommandLine::addNumber(const QString &name, const QString &valueName, const QString &description, double min,
                            bool minExclusive, const QString &defaultValue)
{
    add({name, valueName, description, defaultValue, {}, Kind::Number, min, std::numeric_limits<double>::infinity(),
         minExclusive});
}

void CommandLine::addJsonOption(const QString &description)
{
    addFlag(QStringLiteral("json"), description);
}

void CommandLine::addEnvironmentOptions()
{
    if (find(QStringLiteral("env")))
        return;
    const QString group = m_group;
    setGroup(kEnvironmentGroup);
    addOption(QStringLiteral("env"), QStringLiteral("K=V"),
              QStringLiteral("os.environ[K] while the config is evaluated (repeatable; wins over the rest)."));
    addOption(QStringLiteral("env-file"), QStringLiteral("F"),
              QStringLiteral("KEY=VALUE lines (a .env file) added to os.environ (repeatable, in order)."));
    addFlag(QStringLiteral("no-process-env"),
            QStringLiteral("Start from an empty os.environ instead of this process's environment."));
    addOption(QStringLiteral("pythonpath"), QStringLiteral("DIR"),
              QStringLiteral("Where sibling modules of the config are looked up (repeatable)."));
    setGroup(group);
}

void CommandLine::addCacheTargetOptions(int targets)
{
    const QString group = m_group;
    setGroup(QStringLiteral("Cache"));
    if (targets & RedisTarget)
        addOption(QStringLiteral("redis"), QStringLiteral("URL"),
                  QStringLiteral("Redis URL: redis://[user:pass@]host:port/db or unix:///path?db=N."));
    if (targets & MemcachedTarget) {
        addOption(QStringLiteral("memcached"), QStringLiteral("HOST:PORT[,HOST:PORT]"),
                  QStringLiteral("memcached servers, in CACHE_MEMCACHED_SERVERS order (keys are spread over them as "
                                 "the client does); /path or unix:/path for a socket. SASL servers: use --config."));
        addOption(QStringLiteral("memcached-client"), QStringLiteral("CLIENT"),
                  QStringLiteral("The Python client the cache is used with: pylibmc (cachelib's first choice) or "
                                 "python-memcache; it decides how values are encoded and keys spread."),
                  QStringLiteral("pylibmc"));
    }
    if (targets & (RedisTarget | MemcachedTarget))
        addOption(QStringLiteral("prefix"), QStringLiteral("P"),
                  QStringLiteral("Key prefix of the cache (CACHE_KEY_PREFIX / key_prefix)."));
    if (targets & DirectoryTarget)
        addOption(QStringLiteral("dir"), QStringLiteral("DIR"), QStringLiteral("FileSystemCache directory."));
    if (targets & ConfigTarget) {
        addOption(QStringLiteral("config"), QStringLiteral("FILE"),
                  QStringLiteral("superset_config.py to take the cache from, with --cache (read, never run)."));
        addOption(QStringLiteral("cache"), QStringLiteral("PURPOSE"),
                  QStringLiteral("The cache of --config: CACHE_CONFIG, DATA_CACHE_CONFIG, ..., RESULTS_BACKEND."));
    }
    setGroup(group);
    if (targets & ConfigTarget)
        addEnvironmentOptions();
}

void CommandLine::addPositional(const QString &name, const QString &description, Arity arity)
{
    Q_ASSERT(arity == Arity::Optional || m_requiredPositionals == m_positionalHelp.size());
    m_positionalHelp.append({name, description});
    if (arity == Arity::Required)
        ++m_requiredPositionals;
}

void CommandLine::addHelpSection(const QString &title, const QList<QPair<QString, QString>> &rows)
{
    m_sections.append({title, rows});
}

const CommandLine::Option *CommandLine::find(const QString &name) const
{
    for (const Option &o : m_options)
        if (o.name == name)
            return &o;
    return nullptr;
}

bool CommandLine::isNegativeNumber(const QString &argument)
{
    // JSON's number grammar (RFC 8259 §6), plus the -Infinity that Python's json writes.
    static const QRegularExpression number(QStringLiteral("^-(?:(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|Infinity)$"));
    return number.match(argument).hasMatch();
}

QString CommandLine::checkValue(const Option &o, const QString &value) const
{
    bool ok = false;
    if (o.kind == Kind::Integer) {
        const qint64 n = value.trimmed().toLongLong(&ok);
        if (ok && double(n) >= o.min && double(n) <= o.max)
            return {};
        QString range = QStringLiteral(">= %1").arg(qint64(o.min));
        if (o.max < double(std::numeric_limits<qint64>::max()))
            range = QStringLiteral("from %1 to %2").arg(qint64(o.min)).arg(qint64(o.max));
        return QStringLiteral("%1 needs a whole number %2, not '%3'").arg(dashed(o.name), range, value);
    }
    if (o.kind == Kind::Number) {
        const double d = value.trimmed().toDouble(&ok);
        if (ok && std::isfinite(d) && (o.minExclusive ? d > o.min : d >= o.min))
            return {};
        return QStringLiteral("%1 needs a number %2 %3, not '%4'")
            .arg(dashed(o.name), QLatin1String(o.minExclusive ? ">" : ">="), QString::number(o.min), value);
    }
    return {};
}

QString CommandLine::finishEnvironment()
{
    if (!find(QStringLiteral("env")))
        return {};
    for (const QString &kv : values(QStringLiteral("env"))) {
        const qsizetype eq = kv.indexOf(u'=');
        if (eq <= 0)
            return QStringLiteral("--env expects KEY=VALUE, got '%1'").arg(kv);
        m_environment.overrides.insert(kv.left(eq), kv.mid(eq + 1));
    }
    m_environment.envFiles = values(QStringLiteral("env-file"));
    m_environment.pythonPath = values(QStringLiteral("pythonpath"));
    m_environment.noProcessEnv = isSet(QStringLiteral("no-process-env"));
    return {};
}

bool CommandLine::asksForHelp(const QStringList &args)
{
    // --help wins wherever it is (before `--`), even after a mistake.
    const QStringList options = args.mid(0, args.indexOf(QStringLiteral("--")));
    return options.contains(QStringLiteral("--help")) || options.contains(QStringLiteral("-h"));
}

std::optional<int> CommandLine::parse(const QStringList &args)
{
    m_values.clear();
    m_positionals.clear();
    m_environment = {};
    if (asksForHelp(args)) {
        write(false, helpText());
        return 0;
    }
    bool optionsEnded = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (optionsEnded || a == u"-" || !a.startsWith(u'-') || isNegativeNumber(a)) {
            m_positionals << a;
            continue;
        }
        if (a == u"--") {
            optionsEnded = true;
            continue;
        }
        const bool isLong = a.startsWith(QStringLiteral("--"));
        const qsizetype eq = isLong ? a.indexOf(u'=') : -1;
        const QString name = isLong ? a.mid(2, eq < 0 ? -1 : eq - 2) : QString();
        const Option *o = isLong ? find(name) : nullptr;
        if (!o)
            return usageError(QStringLiteral("unknown option '%1'%2")
                                  .arg(isLong ? a.left(eq < 0 ? a.size() : eq) : a,
                                       isLong ? QString() : QStringLiteral(" (a value that begins with '-' goes after '--')")));
        QString value;
        if (o->kind == Kind::Flag) {
            if (eq >= 0)
                return usageError(QStringLiteral("%1 takes no value").arg(dashed(name)));
        } else if (eq >= 0) {
            value = a.mid(eq + 1);
        } else if (o->kind == Kind::OptionalValue) {
            if (i + 1 < args.size() && !args[i + 1].startsWith(u'-'))
                value = args[++i];
            else
                value = o->defaultValue;
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return usageError(QStringLiteral("%1 needs a value (%2)").arg(dashed(name), o->valueName));
        }
        if (const QString error = checkValue(*o, value); !error.isEmpty())
            return usageError(error);
        m_values[name] << value;
    }
    if (const QString error = finishEnvironment(); !error.isEmpty())
        return usageError(error);
    if (m_positionals.size() > m_positionalHelp.size())
        return usageError(QStringLiteral("unexpected argument '%1'").arg(m_positionals.at(m_positionalHelp.size())));
    if (m_positionals.size() < m_requiredPositionals)
        return usageError(QStringLiteral("missing %1").arg(m_positionalHelp.at(m_positionals.size()).first));
    return std::nullopt;
}

bool CommandLine::isSet(const QString &name) const
{
    Q_ASSERT(find(name));
    return m_values.contains(name);
}

QString CommandLine::value(const QString &name) const
{
    const Option *o = find(name);
    Q_ASSERT(o);
    const auto it = m_values.constFind(name);
    return it != m_values.cend() ? it->constLast() : o ? o->defaultValue : QString();
}

QStringList CommandLine::values(const QString &name) const
{
    Q_ASSERT(find(name));
    return m_values.value(name);
}

qint64 CommandLine::integer(const QString &name, qint64 fallback) const
{
    const QString v = value(name);
    return v.isEmpty() ? fallback : v.trimmed().toLongLong();
}

double CommandLine::number(const QString &name, double fallback) const
{
    const QString v = value(name);
    return v.isEmpty() ? fallback : v.trimmed().toDouble();
}

QByteArray CommandLine::helpText() const
{
    const QString program = QStringLiteral("cachescope") + (m_command.isEmpty() ? QString() : u' ' + m_command);
    QString text = QStringLiteral("Usage: %1 ").arg(program);
    const QString indent(text.size(), u' ');
    text += QString(m_synopsis).replace(u'\n', u'\n' + indent) + QStringLiteral("\n\n") + m_description
          + QStringLiteral("\n");

    // Blocks of two columns; every block's descriptions start in the same column (a long left
    // side pushes its description to the next line).
    using Rows = QList<QPair<QString, QString>>;
    QList<QPair<QString, Rows>> blocks{{QStringLiteral("Arguments"), m_positionalHelp}};
    QStringList groups;
    for (const Option &o : m_options)
        if (!groups.contains(o.group))
            groups << o.group;
    if (!groups.contains(kHelpGroup))
        groups << kHelpGroup; // --help is in every command's "Options"
    for (const QString &group : groups) {
        Rows rows;
        for (const Option &o : m_options) {
            if (o.group != group)
                continue;
            QString left = dashed(o.name);
            if (o.kind == Kind::OptionalValue)
                left += QStringLiteral(" [%1]").arg(o.valueName);
            else if (o.kind != Kind::Flag)
                left += u' ' + o.valueName;
            QString right = o.description;
            if (!o.defaultValue.isEmpty())
                right += QStringLiteral(" Default: %1.").arg(o.defaultValue);
            rows.append({left, right});
        }
        if (group == kHelpGroup)
            rows.append({QStringLiteral("-h, --help"), QStringLiteral("Show this help.")});
        blocks.append({group, rows});
    }
    blocks += m_sections;
    qsizetype width = 0;
    for (const auto &block : std::as_const(blocks))
        for (const auto &row : block.second)
            width = qMax(width, qMin<qsizetype>(row.first.size(), 24));
    for (const auto &[title, rows] : std::as_const(blocks)) {
        if (rows.isEmpty())
            continue;
        text += u'\n' + title + QStringLiteral(":\n");
        for (const auto &[left, right] : rows) {
            text += QStringLiteral("  ") + left;
            if (left.size() > width)
                text += u'\n' + QString(width + 2, u' ');
            else
                text += QString(width - left.size(), u' ');
            // Descriptions wrap at 100 columns, continued under themselves.
            const qsizetype room = qMax<qsizetype>(100 - width - 4, 30);
            QString line;
            for (const QString &word : right.split(u' ')) {
                if (!line.isEmpty() && line.size() + 1 + word.size() > room) {
                    text += QStringLiteral("  ") + line + u'\n' + QString(width + 2, u' ');
                    line.clear();
                }
                line += (line.isEmpty() ? QString() : QStringLiteral(" ")) + word;
            }
            text += QStringLiteral("  ") + line + u'\n';
        }
    }
    text += QStringLiteral("\nA value that begins with '-' goes after '--' unless it is a number.\n"
                           "Exit status: 0 done, 1 the operation failed, 2 usage error.\n");
    return text.toUtf8();
}

void CommandLine::write(bool toErr, const QByteArray &bytes) const
{
    if (QByteArray *sink = toErr ? m_err : m_out) {
        sink->append(bytes);
    } else if (toErr) {
        cli::writeErr(bytes);
    } else {
        cli::writeOut(bytes);
        cli::flushOut();
    }
}

int CommandLine::fail(const QString &message) const
{
    note(message);
    return 1;
}

int CommandLine::usageError(const QString &message) const
{
    const QString program = QStringLiteral("cachescope") + (m_command.isEmpty() ? QString() : u' ' + m_command);
    write(true, QStringLiteral("%1: %2\nRun '%1 --help' for the options.\n").arg(program, message).toUtf8());
    return 2;
}

void CommandLine::note(const QString &message) const
{
    const QString program = QStringLiteral("cachescope") + (m_command.isEmpty() ? QString() : u' ' + m_command);
    write(true, QStringLiteral("%1: %2\n").arg(program, message).toUtf8());
}

void CommandLine::setOutput(QByteArray *out, QByteArray *err)
{
    m_out = out;
    m_err = err;
}

} // namespace cachescope
