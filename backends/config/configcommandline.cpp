#include "configcommandline.h"

#include "configjson.h"
#include "configloader.h"

#include "codec/utf8.h"

#include <QFile>
#include <QProcessEnvironment>

namespace cachescope {

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
    QByteArray text = f.readAll();
    // A BOM that starts the file is its encoding mark (Notepad writes one), as Docker's env-file
    // reader takes it (moby/moby › opts/envfile.go, parseKeyValueFile); anywhere else U+FEFF is
    // part of a name or value and kept.
    if (text.startsWith("\xEF\xBB\xBF"))
        text.remove(0, 3);
    int lineNo = 0;
    for (QByteArray line : text.split('\n')) {
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
        QString value = utf8::toString(line.mid(eq + 1).trimmed());
        if (value.size() >= 2 && ((value.startsWith(u'"') && value.endsWith(u'"')) || (value.startsWith(u'\'') && value.endsWith(u'\''))))
            value = value.mid(1, value.size() - 2);
        env.insert(utf8::toString(line.left(eq).trimmed()), value);
    }
    return true;
}

} // namespace

QByteArray ConfigCommandLine::humanReport(const ConfigReport &r, bool showSecrets)
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

Expected<RedisUrl> ConfigCommandLine::redisUrl(const CacheSpec &spec)
{
    const QString purpose = purposeConfigName(spec.purpose);
    if (spec.backend != BackendType::Redis)
        return makeError(QStringLiteral("%1 is a %2, not a RedisCache").arg(purpose, backendTypeName(spec.backend)));
    RedisUrl url;
    if (!spec.redisUrl.isEmpty()) {
        auto parsed = RedisUrl::parse(spec.redisUrl);
        if (!parsed)
            return makeError(QStringLiteral("%1: %2").arg(purpose, ConfigJson::maskUrlPassword(parsed.error())));
        url = *parsed;
        if (!url.dbInUrl)
            url.db = spec.db;
    } else {
        if (spec.host.startsWith(u'<')) // "<redis.Redis client>": built in code we do not run
            return makeError(QStringLiteral("%1: the Redis server is built by code in the config (%2)").arg(purpose, spec.host));
        url.host = spec.host;
        url.port = spec.port;
        url.db = spec.db;
        url.username = spec.username;
        url.password = spec.password;
    }
    return url;
}

} // namespace cachescope
