#include "configcommandline.h"

#include "configjson.h"
#include "configloader.h"

#include <QFile>
#include <QProcessEnvironment>

namespace cachescope {

QByteArray ConfigCommandLine::usage()
{
    return "Usage: cachescope config show FILE [--json] [--env K=V]... [--env-file F] [--no-process-env]\n"
           "                                   [--pythonpath DIR]... [--show-secrets] [--all]\n"
           "Loads a superset_config.py without running it and prints every cache's resolved settings and the\n"
           "doctor's findings. Exit status: 0 loaded (even with warnings), 1 not loaded, 2 usage error.\n";
}

namespace {

bool readEnvFile(const QString &path, QHash<QString, QString> &env, QString &err)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        err = u"cannot read env file " + path + u": " + f.errorString();
        return false;
    }
    if (f.size() > 4 * 1024 * 1024) {
        err = u"env file " + path + u" is larger than 4 MiB";
        return false;
    }
    int lineNo = 0;
    for (QByteArray line : f.readAll().split('\n')) {
        ++lineNo;
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        if (line.startsWith("export "))
            line = line.mid(7).trimmed();
        const int eq = line.indexOf('=');
        if (eq <= 0) {
            err = path + u':' + QString::number(lineNo) + u": expected KEY=VALUE";
            return false;
        }
        QString value = QString::fromUtf8(line.mid(eq + 1).trimmed());
        if (value.size() >= 2 && ((value.startsWith(u'"') && value.endsWith(u'"')) || (value.startsWith(u'\'') && value.endsWith(u'\''))))
            value = value.mid(1, value.size() - 2);
        env.insert(QString::fromUtf8(line.left(eq).trimmed()), value);
    }
    return true;
}

QByteArray human(const ConfigReport &r, bool showSecrets)
{
    QByteArray out;
    out += (r.loaded ? "Loaded " : "Could not load ") + r.fileName.toUtf8() + '\n';
    if (!r.loaded && !r.error.isEmpty())
        out += "  " + (showSecrets ? r.error : ConfigJson::maskUrlPassword(r.error)).toUtf8() + '\n';
    out += "\nCaches:\n";
    for (const CacheSpec &s : r.caches) {
        out += "  " + purposeConfigName(s.purpose).leftJustified(34).toUtf8() + backendTypeName(s.backend).leftJustified(24).toUtf8();
        out += s.displayLocation().toUtf8();
        if (!s.keyPrefix.isEmpty())
            out += "  prefix " + s.keyPrefix;
        out += "  timeout " + QByteArray::number(s.defaultTimeout) + "s\n";
    }
    if (!r.diagnostics.empty()) {
        out += "\nFindings:\n";
        for (const auto &d : r.diagnostics) {
            const QString msg = showSecrets ? d.message : ConfigJson::maskUrlPassword(d.message);
            out += "  " + (d.file.isEmpty() ? QString() : d.file + u':').toUtf8() + QByteArray::number(d.span.line) + ':'
                 + QByteArray::number(d.span.column) + ": " + d.severity.toUtf8() + ": " + msg.toUtf8() + " [" + d.code.toUtf8() + "]\n";
        }
    }
    return out;
}

} // namespace

ConfigCommandLine::EnvironmentArgs::Take ConfigCommandLine::EnvironmentArgs::take(const QStringList &args, int *index,
                                                                                   QString *error)
{
    const QString &a = args[*index];
    auto value = [&](QString *out) {
        if (*index + 1 >= args.size()) {
            *error = a + QStringLiteral(" needs a value");
            return false;
        }
        *out = args[++*index];
        return true;
    };
    if (a == u"--no-process-env") {
        noProcessEnv = true;
        return Take::Taken;
    }
    if (a == u"--env" || a.startsWith(QStringLiteral("--env="))) {
        QString kv;
        if (a.startsWith(QStringLiteral("--env=")))
            kv = a.mid(6);
        else if (!value(&kv))
            return Take::Error;
        const qsizetype eq = kv.indexOf(u'=');
        if (eq <= 0) {
            *error = QStringLiteral("--env expects KEY=VALUE, got '%1'").arg(kv);
            return Take::Error;
        }
        overrides.insert(kv.left(eq), kv.mid(eq + 1));
        return Take::Taken;
    }
    if (a == u"--env-file" || a == u"--pythonpath") {
        QString v;
        if (!value(&v))
            return Take::Error;
        (a == u"--env-file" ? envFiles : pythonPath) << v;
        return Take::Taken;
    }
    return Take::NotMine;
}

Expected<ConfigLoader::Options> ConfigCommandLine::EnvironmentArgs::loaderOptions(
    const QHash<QString, QString> &processEnvironment) const
{
    ConfigLoader::Options lo;
    if (!noProcessEnv)
        lo.environment = processEnvironment;
    for (const QString &f : envFiles) {
        QString error;
        if (!readEnvFile(f, lo.environment, error))
            return makeError(error);
    }
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        lo.environment.insert(it.key(), it.value());
    lo.pythonPath = pythonPath;
    return lo;
}

QByteArray ConfigCommandLine::EnvironmentArgs::usage()
{
    return "  --env K=V          os.environ[K] while the config is evaluated (repeatable, wins over the rest)\n"
           "  --env-file F       KEY=VALUE lines (a .env file) added to os.environ\n"
           "  --no-process-env   start from an empty os.environ instead of this process's environment\n"
           "  --pythonpath DIR   where sibling modules of the config are looked up (repeatable)\n";
}

QHash<QString, QString> ConfigCommandLine::systemEnvironment()
{
    QHash<QString, QString> env;
    const QProcessEnvironment pe = QProcessEnvironment::systemEnvironment();
    for (const QString &k : pe.keys())
        env.insert(k, pe.value(k));
    return env;
}

Expected<ConfigReport> ConfigCommandLine::loadForCommand(const QString &file, const ConfigLoader::Options &options)
{
    ConfigReport report = ConfigLoader::loadFile(file, options);
    if (!report.loaded) {
        QString where = file;
        if (report.errorSpan.isValid())
            where += u':' + QString::number(report.errorSpan.line) + u':' + QString::number(report.errorSpan.column);
        return makeError(QStringLiteral("could not load %1: %2").arg(where, ConfigJson::maskUrlPassword(report.error)));
    }
    return report;
}

Expected<CacheSpec> ConfigCommandLine::cacheSpec(const ConfigReport &report, const QString &purposeName)
{
    const auto purpose = purposeFromConfigName(purposeName.trimmed());
    if (!purpose) {
        QStringList names;
        for (CachePurpose p : allPurposes())
            names << purposeConfigName(p);
        return makeError(QStringLiteral("unknown cache '%1'; valid: %2").arg(purposeName, names.join(QStringLiteral(", "))));
    }
    for (const CacheSpec &s : report.caches)
        if (s.purpose == *purpose)
            return s;
    return makeError(QStringLiteral("%1 is not set in %2").arg(purposeConfigName(*purpose), report.fileName));
}

Expected<RedisUrl> ConfigCommandLine::redisUrl(const CacheSpec &spec, RedisSentinel::Role role)
{
    auto url = spec.connectionUrl(role);
    if (!url)
        return makeError(ConfigJson::maskUrlPassword(url.error()));
    return url;
}

ConfigCommandOutput ConfigCommandLine::run(const QStringList &args, const QHash<QString, QString> &processEnvironment)
{
    ConfigCommandOutput o;
    if (args.isEmpty() || args.first() == u"--help" || args.first() == u"-h") {
        o.out = usage();
        o.exitCode = args.isEmpty() ? 2 : 0;
        if (args.isEmpty()) {
            o.err = o.out;
            o.out.clear();
        }
        return o;
    }
    if (args.first() != u"show") {
        o.err = "config: unknown sub-command '" + args.first().toUtf8() + "'\n" + usage();
        o.exitCode = 2;
        return o;
    }
    QString file;
    bool json = false, showSecrets = false, all = false;
    EnvironmentArgs environment;
    for (int i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        QString error;
        switch (environment.take(args, &i, &error)) {
        case EnvironmentArgs::Take::Taken:
            continue;
        case EnvironmentArgs::Take::Error:
            o.err += "config: " + error.toUtf8() + '\n';
            o.exitCode = 2;
            return o;
        case EnvironmentArgs::Take::NotMine:
            break;
        }
        if (a == u"--json") {
            json = true;
        } else if (a == u"--show-secrets") {
            showSecrets = true;
        } else if (a == u"--all") {
            all = true;
        } else if (a == u"--help" || a == u"-h") {
            o.out = usage();
            return o;
        } else if (a.startsWith(u'-')) {
            o.err += "config: unknown option '" + a.toUtf8() + "'\n" + usage();
            o.exitCode = 2;
            return o;
        } else if (file.isEmpty()) {
            file = a;
        } else {
            o.err += "config: more than one FILE given\n";
            o.exitCode = 2;
            return o;
        }
    }
    if (file.isEmpty()) {
        o.err += "config show: FILE is required\n" + usage();
        o.exitCode = 2;
        return o;
    }
    const auto lo = environment.loaderOptions(processEnvironment);
    if (!lo) {
        o.err += "config: " + lo.error().toUtf8() + '\n';
        o.exitCode = 2;
        return o;
    }
    const ConfigReport report = ConfigLoader::loadFile(file, *lo);
    if (json) {
        o.out = ConfigJson::report(report, ConfigJson::Options{showSecrets, all}) + '\n';
    } else {
        o.out = human(report, showSecrets);
    }
    if (!report.loaded)
        o.err += "config: " + (showSecrets ? report.error : ConfigJson::maskUrlPassword(report.error)).toUtf8() + '\n';
    o.exitCode = report.loaded ? 0 : 1;
    return o;
}

} // namespace cachescope
