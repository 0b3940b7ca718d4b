#include "configcommandline.h"

#include "configjson.h"
#include "configloader.h"

#include <QFile>

namespace cachescope {

QByteArray ConfigCommandLine::usage()
{
    return "Usage: cachescope config show FILE [--json] [--env K=V]... [--env-file F] [--no-process-env]\n"
           "                                   [--pythonpath DIR]... [--show-secrets] [--all]\n"
           "Loads a superset_config.py without running it and prints every cache's resolved settings and the\n"
           "doctor's findings. Exit status: 0 loaded (even with warnings), 1 not loaded, 2 usage error.\n";
}

namespace {

bool readEnvFile(const QString &path, QHash<QString, QString> &env, QByteArray &err)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        err += "config: cannot read env file " + path.toUtf8() + ": " + f.errorString().toUtf8() + '\n';
        return false;
    }
    if (f.size() > 4 * 1024 * 1024) {
        err += "config: env file " + path.toUtf8() + " is larger than 4 MiB\n";
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
            err += "config: " + path.toUtf8() + ':' + QByteArray::number(lineNo) + ": expected KEY=VALUE\n";
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
    bool json = false, noProcessEnv = false, showSecrets = false, all = false;
    QHash<QString, QString> overrides;
    QStringList envFiles;
    QStringList pythonPath;
    for (int i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        auto value = [&](QString *out) {
            if (i + 1 >= args.size()) {
                o.err += "config: " + a.toUtf8() + " needs a value\n";
                return false;
            }
            *out = args[++i];
            return true;
        };
        if (a == u"--json") {
            json = true;
        } else if (a == u"--no-process-env") {
            noProcessEnv = true;
        } else if (a == u"--show-secrets") {
            showSecrets = true;
        } else if (a == u"--all") {
            all = true;
        } else if (a == u"--env" || a.startsWith(QStringLiteral("--env="))) {
            QString kv;
            if (a.startsWith(QStringLiteral("--env=")))
                kv = a.mid(6);
            else if (!value(&kv)) {
                o.exitCode = 2;
                return o;
            }
            const int eq = kv.indexOf(u'=');
            if (eq <= 0) {
                o.err += "config: --env expects KEY=VALUE, got '" + kv.toUtf8() + "'\n";
                o.exitCode = 2;
                return o;
            }
            overrides.insert(kv.left(eq), kv.mid(eq + 1));
        } else if (a == u"--env-file") {
            QString f;
            if (!value(&f)) {
                o.exitCode = 2;
                return o;
            }
            envFiles << f;
        } else if (a == u"--pythonpath") {
            QString d;
            if (!value(&d)) {
                o.exitCode = 2;
                return o;
            }
            pythonPath << d;
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
    ConfigLoader::Options lo;
    if (!noProcessEnv)
        lo.environment = processEnvironment;
    for (const QString &f : envFiles)
        if (!readEnvFile(f, lo.environment, o.err)) {
            o.exitCode = 2;
            return o;
        }
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        lo.environment.insert(it.key(), it.value());
    lo.pythonPath = pythonPath;
    const ConfigReport report = ConfigLoader::loadFile(file, lo);
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
