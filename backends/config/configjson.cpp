#include "configjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QRegularExpression>

#include <cmath>

namespace cachescope {

using py::Value;
using py::ValuePtr;

namespace {

void str(QByteArray &out, const QString &s)
{
    // QJsonValue's writer escapes exactly as JSON requires.
    const QByteArray doc = QJsonDocument(QJsonArray{QJsonValue(s)}).toJson(QJsonDocument::Compact);
    out += doc.mid(1, doc.size() - 2);
}

void number(QByteArray &out, const Value &v)
{
    if (v.kind == Value::Kind::Float) {
        if (std::isnan(v.f))
            out += "{\"__float__\":\"nan\"}";
        else if (std::isinf(v.f))
            out += v.f > 0 ? "{\"__float__\":\"inf\"}" : "{\"__float__\":\"-inf\"}";
        else
            out += py::floatRepr(v.f).toLatin1();
        return;
    }
    const qint64 i = v.asInt();
    if (i > (1LL << 53) || i < -(1LL << 53))
        out += "{\"__int__\":\"" + QByteArray::number(i) + "\"}";
    else
        out += QByteArray::number(i);
}

bool isDataValue(const ValuePtr &v)
{
    switch (v->kind) {
    case Value::Kind::Module:
    case Value::Kind::Function:
    case Value::Kind::Native:
        return false;
    case Value::Kind::Imported:
        return false;
    case Value::Kind::Class:
        return !v->builtinClass;
    case Value::Kind::Object:
        return v->s != u"logging.Logger" && v->s != u"logging.Handler" && v->s != u"os._Environ";
    default:
        return true;
    }
}

void write(QByteArray &out, const ValuePtr &v, bool secrets, const QString &name, int depth);

void writeEntries(QByteArray &out, const py::DictData &d, bool secrets, int depth)
{
    bool allStr = true;
    for (const auto &e : d.entries)
        allStr = allStr && e.key->kind == Value::Kind::Str;
    if (allStr) {
        out += '{';
        bool first = true;
        for (const auto &e : d.entries) {
            if (!first)
                out += ',';
            first = false;
            str(out, e.key->s);
            out += ':';
            write(out, e.value, secrets, e.key->s, depth + 1);
        }
        out += '}';
        return;
    }
    out += "{\"__dict__\":[";
    bool first = true;
    for (const auto &e : d.entries) {
        if (!first)
            out += ',';
        first = false;
        out += '[';
        write(out, e.key, secrets, {}, depth + 1);
        out += ',';
        write(out, e.value, secrets, e.key->kind == Value::Kind::Str ? e.key->s : QString(), depth + 1);
        out += ']';
    }
    out += "]}";
}

void writeItems(QByteArray &out, const std::vector<ValuePtr> &items, bool secrets, int depth)
{
    out += '[';
    for (size_t i = 0; i < items.size(); ++i) {
        if (i)
            out += ',';
        write(out, items[i], secrets, {}, depth + 1);
    }
    out += ']';
}

void write(QByteArray &out, const ValuePtr &v, bool secrets, const QString &name, int depth)
{
    if (depth > 100) {
        out += "{\"__unknown__\":\"nested too deeply\"}";
        return;
    }
    if (!secrets && !name.isEmpty() && ConfigJson::isSecretName(name)
        && ((v->kind == Value::Kind::Str && !v->s.isEmpty()) || (v->kind == Value::Kind::Bytes && !v->s.isEmpty()))) {
        out += "\"***\"";
        return;
    }
    switch (v->kind) {
    case Value::Kind::None: out += "null"; return;
    case Value::Kind::Bool: out += v->b ? "true" : "false"; return;
    case Value::Kind::Int:
    case Value::Kind::Float: number(out, *v); return;
    case Value::Kind::Str: str(out, secrets ? v->s : ConfigJson::maskUrlPassword(v->s)); return;
    case Value::Kind::Bytes:
        out += "{\"__bytes__\":\"" + v->s.toLatin1().toBase64() + "\"}";
        return;
    case Value::Kind::List: writeItems(out, v->items, secrets, depth); return;
    case Value::Kind::Tuple:
        out += "{\"__tuple__\":";
        writeItems(out, v->items, secrets, depth);
        out += '}';
        return;
    case Value::Kind::Set:
        out += "{\"__set__\":";
        writeItems(out, v->items, secrets, depth);
        out += '}';
        return;
    case Value::Kind::Dict: writeEntries(out, *v->dict, secrets, depth); return;
    case Value::Kind::Call:
        out += "{\"__call__\":";
        str(out, v->s);
        out += ",\"args\":";
        writeItems(out, v->items, secrets, depth);
        out += ",\"kwargs\":";
        writeEntries(out, *v->dict, secrets, depth);
        out += '}';
        return;
    case Value::Kind::Class: {
        out += "{\"__class__\":";
        str(out, v->s);
        out += ",\"attrs\":{";
        bool first = true;
        if (v->dict)
            for (const auto &e : v->dict->entries) {
                const QString k = e.key->s;
                if (k.startsWith(QStringLiteral("__")) || !isDataValue(e.value)
                    || (e.value->kind == Value::Kind::Object
                        && (e.value->s == u"staticmethod" || e.value->s == u"classmethod" || e.value->s == u"property")))
                    continue;
                if (!first)
                    out += ',';
                first = false;
                str(out, k);
                out += ':';
                write(out, e.value, secrets, k, depth + 1);
            }
        out += "}}";
        return;
    }
    case Value::Kind::Timedelta: {
        out += "{\"__timedelta__\":";
        if (v->i % 1000000 == 0)
            out += QByteArray::number(v->i / 1000000);
        else
            out += py::floatRepr(double(v->i) / 1e6).toLatin1();
        out += '}';
        return;
    }
    case Value::Kind::Unknown:
        out += "{\"__unknown__\":";
        str(out, v->s);
        out += '}';
        return;
    case Value::Kind::Imported:
        out += "{\"__import__\":";
        str(out, v->s);
        out += '}';
        return;
    case Value::Kind::Instance:
        if (v->self && v->self->isExceptionClass) {
            out += "{\"__unknown__\":";
            str(out, QStringLiteral("exception %1").arg(py::pyRepr(v)));
            out += '}';
            return;
        }
        out += "{\"__instance__\":";
        str(out, v->self ? v->self->s : QString());
        out += ",\"attrs\":";
        writeEntries(out, *v->dict, secrets, depth);
        out += '}';
        return;
    default:
        out += "{\"__unknown__\":";
        str(out, QStringLiteral("%1 %2").arg(py::typeName(*v), py::pyRepr(v)));
        out += '}';
        return;
    }
}

void spanJson(QByteArray &out, const SourceSpan &s)
{
    out += '[' + QByteArray::number(s.line) + ',' + QByteArray::number(s.column) + ']';
}

} // namespace

bool ConfigJson::isSecretName(const QString &name)
{
    const QString u = name.toUpper();
    return u.contains(QStringLiteral("PASSWORD")) || u.contains(QStringLiteral("PASSWD")) || u.contains(QStringLiteral("SECRET"))
        || u.contains(QStringLiteral("TOKEN")) || u.contains(QStringLiteral("CREDENTIAL")) || u.contains(QStringLiteral("PRIVATE_KEY"))
        || u.contains(QStringLiteral("API_KEY")) || u.contains(QStringLiteral("ACCESS_KEY"));
}

QString ConfigJson::maskUrlPassword(const QString &text)
{
    // scheme://user:password@host -> scheme://user:***@host
    static const QRegularExpression re(QStringLiteral("([A-Za-z][A-Za-z0-9+.\\-]*://[^:/@\\s]*:)([^@\\s/]+)@"));
    if (!text.contains(u'@'))
        return text;
    QString out = text;
    out.replace(re, QStringLiteral("\\1***@"));
    return out;
}

const QStringList &ConfigJson::cacheSettingNames()
{
    static const QStringList names = {
        QStringLiteral("CACHE_CONFIG"), QStringLiteral("DATA_CACHE_CONFIG"), QStringLiteral("FILTER_STATE_CACHE_CONFIG"),
        QStringLiteral("EXPLORE_FORM_DATA_CACHE_CONFIG"), QStringLiteral("THUMBNAIL_CACHE_CONFIG"), QStringLiteral("RESULTS_BACKEND"),
        QStringLiteral("RESULTS_BACKEND_USE_MSGPACK"), QStringLiteral("CACHE_DEFAULT_TIMEOUT"), QStringLiteral("CELERY_CONFIG"),
        QStringLiteral("GLOBAL_ASYNC_QUERIES_REDIS_CONFIG"), QStringLiteral("GLOBAL_ASYNC_QUERIES_CACHE_BACKEND"),
        QStringLiteral("STATS_LOGGER"), QStringLiteral("SQLALCHEMY_DATABASE_URI"), QStringLiteral("HASH_ALGORITHM"),
        QStringLiteral("STORE_CACHE_KEYS_IN_METADATA_DB")};
    return names;
}

QByteArray ConfigJson::value(const ValuePtr &v, bool showSecrets, const QString &name)
{
    QByteArray out;
    write(out, v, showSecrets, name, 0);
    return out;
}

QByteArray ConfigJson::spec(const CacheSpec &s, bool showSecrets)
{
    QByteArray out = "{\"backend\":";
    str(out, backendTypeName(s.backend));
    out += ",\"spelling\":";
    str(out, s.backendSpelling);
    out += ",\"default_timeout\":" + QByteArray::number(s.defaultTimeout);
    auto field = [&](const char *k, const QString &v) {
        out += ",\"" + QByteArray(k) + "\":";
        str(out, v);
    };
    switch (s.backend) {
    case BackendType::Redis:
    case BackendType::RedisSentinel:
    case BackendType::RedisCluster:
        field("key_prefix", QString::fromUtf8(s.keyPrefix));
        if (!s.redisUrl.isEmpty())
            field("url", showSecrets ? s.redisUrl : maskUrlPassword(s.redisUrl));
        if (s.backend == BackendType::Redis) {
            field("host", s.host);
            out += ",\"port\":" + QByteArray::number(s.port);
        }
        if (s.backend != BackendType::RedisCluster)
            out += ",\"db\":" + QByteArray::number(s.db);
        if (!s.username.isEmpty())
            field("username", s.username);
        if (!s.password.isEmpty())
            field("password", showSecrets ? s.password : QStringLiteral("***"));
        if (s.tls.enabled)
            field("tls", s.tls.summary());
        if (s.backend == BackendType::RedisSentinel) {
            if (!s.sentinelPassword.isEmpty())
                field("sentinel_password", showSecrets ? s.sentinelPassword : QStringLiteral("***"));
            if (s.sentinelTls.enabled)
                field("sentinel_tls", s.sentinelTls.summary());
            out += ",\"sentinels\":[";
            for (int i = 0; i < s.sentinels.size(); ++i) {
                if (i)
                    out += ',';
                out += '[';
                str(out, s.sentinels[i].first);
                out += ',' + QByteArray::number(s.sentinels[i].second) + ']';
            }
            out += ']';
            field("master", s.sentinelMaster);
        }
        if (s.backend == BackendType::RedisCluster)
            field("cluster", s.cluster);
        break;
    case BackendType::FileSystem:
        field("dir", s.directory);
        out += ",\"threshold\":" + QByteArray::number(s.threshold);
        break;
    case BackendType::Simple:
        out += ",\"threshold\":" + QByteArray::number(s.threshold);
        break;
    case BackendType::Memcached:
        field("key_prefix", QString::fromUtf8(s.keyPrefix));
        out += ",\"servers\":[";
        for (int i = 0; i < s.memcachedServers.size(); ++i) {
            if (i)
                out += ',';
            str(out, s.memcachedServers[i].first);
        }
        out += ']';
        if (!s.memcachedServersError.isEmpty())
            field("servers_error", s.memcachedServersError);
        if (!s.username.isEmpty())
            field("username", s.username);
        if (!s.password.isEmpty())
            field("password", showSecrets ? s.password : QStringLiteral("***"));
        break;
    case BackendType::SupersetMetastore:
        field("key_prefix", QString::fromUtf8(s.keyPrefix));
        break;
    default:
        break;
    }
    if (s.purpose == CachePurpose::Results)
        out += QByteArray(",\"use_msgpack\":") + (s.useMsgpack ? "true" : "false");
    field("location", s.displayLocation());
    out += ",\"spans\":{";
    bool first = true;
    for (auto it = s.spans.begin(); it != s.spans.end(); ++it) {
        if (!it->isValid())
            continue;
        if (!first)
            out += ',';
        first = false;
        str(out, it.key());
        out += ':';
        spanJson(out, *it);
    }
    out += "}}";
    return out;
}

QByteArray ConfigJson::report(const ConfigReport &r, const Options &o)
{
    QByteArray out = "{\"loaded\":";
    out += r.loaded ? "true" : "false";
    out += ",\"settings\":{";
    bool first = true;
    if (r.globals) {
        for (const auto &e : r.globals->vars->entries) {
            const QString name = e.key->s;
            const bool wanted = o.all ? (!name.startsWith(u'_') && isDataValue(e.value)) : cacheSettingNames().contains(name);
            if (!wanted)
                continue;
            if (!first)
                out += ',';
            first = false;
            str(out, name);
            out += ':';
            write(out, e.value, o.showSecrets, name, 0);
        }
    }
    out += "},\"caches\":{";
    first = true;
    for (const CacheSpec &s : r.caches) {
        if (!first)
            out += ',';
        first = false;
        str(out, purposeConfigName(s.purpose));
        out += ':' + spec(s, o.showSecrets);
    }
    out += "},\"diagnostics\":[";
    first = true;
    for (const auto &d : r.diagnostics) {
        if (!first)
            out += ',';
        first = false;
        out += "{\"severity\":";
        str(out, d.severity);
        out += ",\"line\":" + QByteArray::number(d.span.line) + ",\"column\":" + QByteArray::number(d.span.column) + ",\"code\":";
        str(out, d.code);
        out += ",\"message\":";
        str(out, o.showSecrets ? d.message : maskUrlPassword(d.message));
        if (!d.file.isEmpty()) {
            out += ",\"file\":";
            str(out, d.file);
        }
        out += '}';
    }
    out += "]}";
    return out;
}

} // namespace cachescope
