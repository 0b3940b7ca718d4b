#include "configloader.h"

#include "configdoctor.h"

#include <QFileInfo>
#include <QDir>
#include <QFile>
#include <QUrl>

#include <cmath>

namespace cachescope {

using py::Value;
using py::ValuePtr;

QList<py::EnvRead> ConfigReport::unsetEnvironment() const
{
    QList<py::EnvRead> out;
    QSet<QString> seen;
    for (const auto &r : envReads) {
        if (r.present || seen.contains(r.name))
            continue;
        seen.insert(r.name);
        out << r;
    }
    // A variable read as missing once but present later (set by the file) is not "unset".
    return out;
}

ValuePtr ConfigReport::setting(const QString &name) const
{
    if (!globals)
        return nullptr;
    return globals->vars->get(name);
}

SourceSpan ConfigReport::settingSpan(const QString &name) const
{
    if (!globals)
        return {};
    const auto *e = globals->vars->entry(name);
    return e ? e->span : SourceSpan{};
}

namespace {

QString toStr(const ValuePtr &v)
{
    if (!v || v->kind == Value::Kind::None)
        return {};
    if (v->kind == Value::Kind::Str || v->kind == Value::Kind::Bytes)
        return v->s;
    if (v->kind == Value::Kind::Unknown)
        return QStringLiteral("<unknown: %1>").arg(v->s);
    return py::pyStr(v);
}

bool truthyValue(const ValuePtr &v)
{
    if (!v)
        return false;
    switch (v->kind) {
    case Value::Kind::None: return false;
    case Value::Kind::Bool: return v->b;
    case Value::Kind::Int: return v->i != 0;
    case Value::Kind::Float: return v->f != 0;
    case Value::Kind::Str:
    case Value::Kind::Bytes: return !v->s.isEmpty();
    case Value::Kind::List:
    case Value::Kind::Tuple:
    case Value::Kind::Set: return !v->items.empty();
    case Value::Kind::Dict: return !v->dict->entries.empty();
    default: return true;
    }
}

void applyRedisUrl(CacheSpec &spec, const QString &url)
{
    spec.redisUrl = url;
    const QUrl u(url);
    if (!u.isValid())
        return;
    if (u.scheme() == u"unix") {
        spec.host = u.path();
        spec.port = 0;
    } else {
        if (!u.host().isEmpty())
            spec.host = u.host();
        spec.port = u.port(6379);
    }
    if (!u.userName().isEmpty())
        spec.username = QUrl::fromPercentEncoding(u.userName().toUtf8());
    if (!u.password().isEmpty())
        spec.password = QUrl::fromPercentEncoding(u.password().toUtf8());
    // redis-py: the path's DB wins over the db kwarg (FORMATS.md §2.3), so does ?db=.
    const QString path = u.path().mid(1);
    bool ok = false;
    const int db = path.toInt(&ok);
    if (ok && u.scheme() != u"unix")
        spec.db = db;
    const QString query = u.query();
    for (const QString &kv : query.split(u'&'))
        if (kv.startsWith(QStringLiteral("db="))) {
            const int q = kv.mid(3).toInt(&ok);
            if (ok)
                spec.db = q;
        }
}

// redis-py's ssl_* options that name a file (or the key's password): the RedisTls member.
QString RedisTls::*tlsFileOption(const QString &name)
{
    static const QHash<QString, QString RedisTls::*> files{
        {QStringLiteral("ssl_ca_certs"), &RedisTls::caCerts},   {QStringLiteral("ssl_ca_path"), &RedisTls::caPath},
        {QStringLiteral("ssl_certfile"), &RedisTls::certFile},  {QStringLiteral("ssl_keyfile"), &RedisTls::keyFile},
        {QStringLiteral("ssl_password"), &RedisTls::keyPassword}};
    return files.value(name, nullptr);
}

// One keyword argument that redis-py's connection takes (via CACHE_OPTIONS, a RedisCache(...)
// constructor or a redis.Redis(...) client): TLS (redis-py 4.3.4 SSLConnection), the ACL user,
// and for a Sentinel cache the sentinel_* ones Flask-Caching 2.0.2 hands to the sentinels
// (RedisSentinelCache: sentinel_kwargs = {k[9:]: v for k starting with "sentinel_"}).
// True when the name was one of those. None of them is ever dropped.
bool applyConnectionKwarg(CacheSpec &spec, const QString &name, const ValuePtr &v)
{
    if (name.startsWith(QStringLiteral("sentinel_"))) {
        if (spec.backend != BackendType::RedisSentinel)
            return false;
        const QString inner = name.mid(9);
        if (inner == u"password") {
            spec.sentinelPassword = truthyValue(v) ? toStr(v) : QString();
            return true;
        }
        if (inner == u"username") {
            spec.sentinelUsername = truthyValue(v) ? toStr(v) : QString();
            return true;
        }
        CacheSpec sentinelSide;
        sentinelSide.tls = spec.sentinelTls;
        if (!applyConnectionKwarg(sentinelSide, inner, v))
            return false;
        spec.sentinelTls = sentinelSide.tls;
        return true;
    }
    RedisTls &tls = spec.tls;
    if (name == u"ssl") {
        tls.enabled = truthyValue(v);
    } else if (name == u"ssl_cert_reqs") {
        // redis-py: None means CERT_NONE; strings and ssl.CERT_* constants otherwise. A value
        // it would reject keeps verification on.
        if (!v || v->kind == Value::Kind::None)
            tls.certReqs = RedisTls::CertReqs::None;
        else if (auto reqs = RedisTls::certReqsFromName(v->kind == Value::Kind::Int ? QString::number(v->i) : toStr(v)))
            tls.certReqs = *reqs;
    } else if (name == u"ssl_check_hostname") {
        tls.checkHostname = truthyValue(v);
    } else if (QString RedisTls::*file = tlsFileOption(name)) {
        tls.*file = toStr(v);
    } else if (name == u"username") {
        if (truthyValue(v))
            spec.username = toStr(v);
    } else {
        return false;
    }
    return true;
}

// CACHE_MEMCACHED_SERVERS / servers=: cachelib takes a list or tuple of addresses (None: its
// default); python-memcache also takes ("address", weight) tuples. Anything else cachelib would
// treat as a ready-made client object, which a config file cannot hold: say so.
void applyMemcachedServers(CacheSpec &spec, const ValuePtr &servers, const QString &setting)
{
    if (!servers || servers->kind == Value::Kind::None)
        return;
    if (servers->kind != Value::Kind::List && servers->kind != Value::Kind::Tuple) {
        spec.memcachedServersError = QStringLiteral("%1 is %2, not a list of \"host:port\" addresses")
                                         .arg(setting, servers->kind == Value::Kind::Unknown ? toStr(servers) : py::pyRepr(servers));
        return;
    }
    for (const auto &item : servers->items) {
        if (item->kind == Value::Kind::Str) {
            spec.memcachedServers.append({item->s, 1});
        } else if ((item->kind == Value::Kind::Tuple || item->kind == Value::Kind::List) && item->items.size() == 2
                   && item->items[0]->kind == Value::Kind::Str && py::integerValue(item->items[1])) {
            spec.memcachedServers.append({item->items[0]->s, int(*py::integerValue(item->items[1]))});
        } else {
            spec.memcachedServersError = QStringLiteral("%1 holds %2, not a \"host:port\" address")
                                             .arg(setting, item->kind == Value::Kind::Unknown ? toStr(item) : py::pyRepr(item));
            spec.memcachedServers.clear();
            return;
        }
    }
}

struct Lookup
{
    const ConfigReport &report;
    ValuePtr dict; // Flask-Caching config dict
    CacheSpec &spec;

    // dict key first, then the app-level key of the same name (Flask-Caching's base_config overlay).
    const py::DictData::Entry *entry(const QString &key) const
    {
        if (dict && dict->kind == Value::Kind::Dict)
            if (const auto *e = dict->dict->entry(key))
                return e;
        if (key.startsWith(QStringLiteral("CACHE_")) && report.globals)
            if (const auto *e = report.globals->vars->entry(key))
                return e;
        return nullptr;
    }
    ValuePtr get(const QString &key, bool note = true) const
    {
        const auto *e = entry(key);
        if (e && note && e->span.isValid())
            spec.spans.insert(key, e->span);
        return e ? e->value : nullptr;
    }
};

CacheSpec fromFlaskCachingDict(const ConfigReport &report, CachePurpose purpose, const ValuePtr &dict, const SourceSpan &settingSpan)
{
    CacheSpec spec;
    spec.purpose = purpose;
    if (settingSpan.isValid())
        spec.spans.insert(purposeConfigName(purpose), settingSpan);
    Lookup l{report, dict, spec};
    const bool required = purpose == CachePurpose::FilterState || purpose == CachePurpose::ExploreFormData;
    ValuePtr type = l.get(QStringLiteral("CACHE_TYPE"));
    if (type && type->kind == Value::Kind::Str) {
        spec.backendSpelling = type->s;
        spec.backend = backendTypeFromName(type->s);
    } else if (!type || type->kind == Value::Kind::None) {
        if (required) {
            spec.backendSpelling = QStringLiteral("superset.extensions.metastore_cache.SupersetMetastoreCache");
            spec.backend = BackendType::SupersetMetastore;
        } else {
            spec.backendSpelling = type ? QStringLiteral("None") : QStringLiteral("null");
            spec.backend = BackendType::Null;
        }
    } else {
        spec.backendSpelling = type->kind == Value::Kind::Imported ? type->s : py::pyRepr(type);
        spec.backend = BackendType::Unknown;
    }
    // Timeout: the dict's, else the app-level CACHE_DEFAULT_TIMEOUT (Superset's default is one day).
    ValuePtr timeout = l.get(QStringLiteral("CACHE_DEFAULT_TIMEOUT"));
    if (timeout)
        spec.defaultTimeout = py::integerValue(timeout).value_or(300);
    else
        spec.defaultTimeout = 86400;
    if (ValuePtr t = l.get(QStringLiteral("CACHE_THRESHOLD")))
        spec.threshold = int(py::integerValue(t).value_or(500));
    if (ValuePtr d = l.get(QStringLiteral("CACHE_DIR")))
        spec.directory = toStr(d);
    const auto *prefixEntry = l.entry(QStringLiteral("CACHE_KEY_PREFIX"));
    ValuePtr prefix = l.get(QStringLiteral("CACHE_KEY_PREFIX"));
    switch (spec.backend) {
    case BackendType::SupersetMetastore: {
        spec.keyPrefix = (prefixEntry ? toStr(prefix) : purposeConfigName(purpose)).toUtf8();
        // SupersetMetastoreCache.factory: config.get("CODEC") or PickleKeyValueCodec()
        // (superset/extensions/metastore_cache.py @ 3.0.0 ... 5.0.0rc2).
        ValuePtr codec = l.get(QStringLiteral("CODEC"));
        const QString codecName = codec && (codec->kind == Value::Kind::Call || codec->kind == Value::Kind::Imported) ? codec->s : QString();
        if (!codec || !truthyValue(codec) || codecName.endsWith(QStringLiteral("PickleKeyValueCodec")))
            spec.codec = QStringLiteral("pickle");
        else if (codecName.endsWith(QStringLiteral("JsonKeyValueCodec")) && !codecName.endsWith(QStringLiteral("MarshmallowKeyValueCodec")))
            spec.codec = QStringLiteral("json");
        else
            spec.codec = codecName.isEmpty() ? py::pyRepr(codec) : codecName;
        break;
    }
    case BackendType::Redis:
    case BackendType::RedisSentinel:
    case BackendType::RedisCluster:
    case BackendType::Memcached:
        // setdefault("CACHE_KEY_PREFIX", "flask_cache_"); a falsy prefix is not passed at all.
        spec.keyPrefix = prefixEntry ? (truthyValue(prefix) ? toStr(prefix).toUtf8() : QByteArray()) : QByteArrayLiteral("flask_cache_");
        break;
    default:
        spec.keyPrefix.clear();
        break;
    }
    if (spec.backend == BackendType::Memcached) {
        applyMemcachedServers(spec, l.get(QStringLiteral("CACHE_MEMCACHED_SERVERS")), QStringLiteral("CACHE_MEMCACHED_SERVERS"));
        if (ValuePtr u = l.get(QStringLiteral("CACHE_MEMCACHED_USERNAME")); u && truthyValue(u))
            spec.username = toStr(u);
        if (ValuePtr pw = l.get(QStringLiteral("CACHE_MEMCACHED_PASSWORD")); pw && truthyValue(pw))
            spec.password = toStr(pw);
        // CACHE_OPTIONS reach pylibmc.Client(**kwargs) in the SASL variants: its behaviors decide
        // how keys spread over several servers.
        if (ValuePtr options = l.get(QStringLiteral("CACHE_OPTIONS")); options && options->kind == Value::Kind::Dict)
            if (const auto *b = options->dict->entry(QStringLiteral("behaviors")); b && b->value->kind == Value::Kind::Dict)
                for (const auto &e : b->value->dict->entries)
                    spec.memcachedBehaviors << toStr(e.key) + u'=' + py::pyRepr(e.value);
    }
    if (spec.backend == BackendType::Redis || spec.backend == BackendType::RedisSentinel || spec.backend == BackendType::RedisCluster
        || purpose == CachePurpose::GlobalAsyncQueries) {
        if (ValuePtr h = l.get(QStringLiteral("CACHE_REDIS_HOST")); h && truthyValue(h))
            spec.host = toStr(h);
        if (ValuePtr p = l.get(QStringLiteral("CACHE_REDIS_PORT")))
            spec.port = int(py::integerValue(p).value_or(6379));
        if (ValuePtr d = l.get(QStringLiteral("CACHE_REDIS_DB")))
            spec.db = int(py::integerValue(d).value_or(0));
        if (ValuePtr pw = l.get(QStringLiteral("CACHE_REDIS_PASSWORD")); pw && truthyValue(pw))
            spec.password = toStr(pw);
        if (ValuePtr u = l.get(QStringLiteral("CACHE_REDIS_USER")); u && truthyValue(u))
            spec.username = toStr(u);
        if (ValuePtr url = l.get(QStringLiteral("CACHE_REDIS_URL")); url && truthyValue(url))
            applyRedisUrl(spec, toStr(url));
        // CACHE_OPTIONS become keyword arguments of the backend and so of redis-py's connection.
        if (ValuePtr options = l.get(QStringLiteral("CACHE_OPTIONS")); options && options->kind == Value::Kind::Dict)
            for (const auto &e : options->dict->entries)
                if (e.key && e.key->kind == Value::Kind::Str && applyConnectionKwarg(spec, e.key->s, e.value)
                    && e.span.isValid())
                    spec.spans.insert(QStringLiteral("CACHE_OPTIONS.") + e.key->s, e.span);
        // Superset's own Redis backends (async_events/cache_backend.py, 4.1+) read these keys;
        // configs also write them into ordinary cache dicts. A TLS setting is never ignored.
        static const QList<QPair<const char *, const char *>> sslKeys{
            {"CACHE_REDIS_SSL", "ssl"},
            {"CACHE_REDIS_SSL_CERTFILE", "ssl_certfile"},
            {"CACHE_REDIS_SSL_KEYFILE", "ssl_keyfile"},
            {"CACHE_REDIS_SSL_CERT_REQS", "ssl_cert_reqs"},
            {"CACHE_REDIS_SSL_CA_CERTS", "ssl_ca_certs"},
        };
        for (const auto &[key, kwarg] : sslKeys) {
            ValuePtr v = l.get(QLatin1String(key));
            // Superset: ssl_* only count with CACHE_REDIS_SSL; None means "not given" there.
            if (v && (v->kind != Value::Kind::None || QLatin1String(key) == QLatin1String("CACHE_REDIS_SSL")))
                applyConnectionKwarg(spec, QLatin1String(kwarg), v);
        }
        if (spec.backend == BackendType::RedisSentinel)
            if (ValuePtr pw = l.get(QStringLiteral("CACHE_REDIS_SENTINEL_PASSWORD")); pw && truthyValue(pw))
                spec.sentinelPassword = toStr(pw);
        if (spec.backend == BackendType::RedisSentinel) {
            ValuePtr s = l.get(QStringLiteral("CACHE_REDIS_SENTINELS"));
            if (s && (s->kind == Value::Kind::List || s->kind == Value::Kind::Tuple)) {
                for (const auto &item : s->items)
                    if ((item->kind == Value::Kind::Tuple || item->kind == Value::Kind::List) && item->items.size() == 2)
                        spec.sentinels.append({toStr(item->items[0]), int(py::integerValue(item->items[1]).value_or(26379))});
            } else if (!s) {
                spec.sentinels.append({QStringLiteral("127.0.0.1"), 26379});
            }
            ValuePtr master = l.get(QStringLiteral("CACHE_REDIS_SENTINEL_MASTER"));
            spec.sentinelMaster = master ? toStr(master) : QStringLiteral("mymaster");
        }
        if (spec.backend == BackendType::RedisCluster)
            if (ValuePtr c = l.get(QStringLiteral("CACHE_REDIS_CLUSTER")))
                spec.cluster = toStr(c);
    }
    return spec;
}

// cachelib's RedisCache(host=<client>): a redis.Redis(...) / StrictRedis(...) client or
// redis.from_url(...) / Redis.from_url(...) built in the config. Its arguments are read as
// redis-py reads them; false when the client is of another kind.
bool applyClient(CacheSpec &spec, const ValuePtr &client)
{
    const QString callee = client->s.section(QLatin1Char('.'), -1);
    if (callee == u"from_url") {
        if (client->items.empty() || client->items[0]->kind != Value::Kind::Str)
            return false;
        applyRedisUrl(spec, client->items[0]->s);
        for (const auto &e : client->dict->entries)
            if (e.key && e.key->kind == Value::Kind::Str) {
                if (e.key->s == u"db")
                    spec.db = int(py::integerValue(e.value).value_or(spec.db));
                else
                    applyConnectionKwarg(spec, e.key->s, e.value);
            }
        return true;
    }
    if (callee != u"Redis" && callee != u"StrictRedis")
        return false;
    // redis.Redis(host="localhost", port=6379, db=0, password=None, ...)
    static const QStringList positional{QStringLiteral("host"), QStringLiteral("port"), QStringLiteral("db"),
                                        QStringLiteral("password")};
    QHash<QString, ValuePtr> args;
    for (size_t i = 0; i < client->items.size() && i < size_t(positional.size()); ++i)
        args.insert(positional[int(i)], client->items[i]);
    for (const auto &e : client->dict->entries)
        if (e.key && e.key->kind == Value::Kind::Str)
            args.insert(e.key->s, e.value);
    spec.host = QStringLiteral("localhost");
    if (ValuePtr v = args.value(QStringLiteral("host")); v && v->kind == Value::Kind::Str)
        spec.host = v->s;
    if (ValuePtr v = args.value(QStringLiteral("port")))
        spec.port = int(py::integerValue(v).value_or(6379));
    if (ValuePtr v = args.value(QStringLiteral("db")))
        spec.db = int(py::integerValue(v).value_or(0));
    if (ValuePtr v = args.value(QStringLiteral("password")); v && truthyValue(v))
        spec.password = toStr(v);
    for (auto it = args.cbegin(); it != args.cend(); ++it)
        applyConnectionKwarg(spec, it.key(), it.value());
    return true;
}

// RESULTS_BACKEND is an object: map the constructor's positional and keyword arguments.
CacheSpec fromConstructor(CachePurpose purpose, const ValuePtr &call, const SourceSpan &settingSpan)
{
    CacheSpec spec;
    spec.purpose = purpose;
    spec.spans.insert(purposeConfigName(purpose), settingSpan);
    spec.backendSpelling = call->s;
    spec.backend = backendTypeFromName(call->s);
    spec.defaultTimeout = 300;
    spec.keyPrefix.clear();
    QStringList params;
    switch (spec.backend) {
    case BackendType::Redis:
        params = {QStringLiteral("host"), QStringLiteral("port"), QStringLiteral("password"), QStringLiteral("db"),
                  QStringLiteral("default_timeout"), QStringLiteral("key_prefix")};
        break;
    case BackendType::FileSystem:
        params = {QStringLiteral("cache_dir"), QStringLiteral("threshold"), QStringLiteral("default_timeout"), QStringLiteral("mode")};
        break;
    case BackendType::Simple:
        params = {QStringLiteral("threshold"), QStringLiteral("default_timeout")};
        break;
    case BackendType::Null:
        params = {QStringLiteral("default_timeout")};
        break;
    case BackendType::RedisSentinel:
        params = {QStringLiteral("sentinels"), QStringLiteral("master"), QStringLiteral("password"), QStringLiteral("db"),
                  QStringLiteral("default_timeout"), QStringLiteral("key_prefix")};
        break;
    case BackendType::Memcached:
        params = {QStringLiteral("servers"), QStringLiteral("default_timeout"), QStringLiteral("key_prefix")};
        break;
    default:
        break;
    }
    QHash<QString, ValuePtr> args;
    const py::DictData *argSpans = call->self && call->self->dict ? call->self->dict.get() : nullptr;
    for (size_t i = 0; i < call->items.size() && i < size_t(params.size()); ++i) {
        args.insert(params[int(i)], call->items[i]);
        if (argSpans && i < argSpans->entries.size())
            spec.spans.insert(params[int(i)], argSpans->entries[i].span);
    }
    for (const auto &e : call->dict->entries) {
        args.insert(e.key->s, e.value);
        spec.spans.insert(e.key->s, e.span);
    }
    if (ValuePtr v = args.value(QStringLiteral("default_timeout")))
        spec.defaultTimeout = py::integerValue(v).value_or(300);
    if (ValuePtr v = args.value(QStringLiteral("key_prefix")))
        spec.keyPrefix = toStr(v).toUtf8();
    if (ValuePtr v = args.value(QStringLiteral("threshold")))
        spec.threshold = int(py::integerValue(v).value_or(500));
    if (ValuePtr v = args.value(QStringLiteral("cache_dir")))
        spec.directory = toStr(v);
    for (auto it = args.cbegin(); it != args.cend(); ++it)
        applyConnectionKwarg(spec, it.key(), it.value());
    if (ValuePtr v = args.value(QStringLiteral("host"))) {
        if (v->kind == Value::Kind::Str)
            spec.host = v->s;
        else if (v->kind == Value::Kind::Call && !applyClient(spec, v))
            spec.host = QStringLiteral("<%1 client>").arg(v->s);
        else if (v->kind != Value::Kind::None && v->kind != Value::Kind::Call)
            spec.host = toStr(v);
    }
    if (ValuePtr v = args.value(QStringLiteral("port")))
        spec.port = int(py::integerValue(v).value_or(6379));
    if (ValuePtr v = args.value(QStringLiteral("db")))
        spec.db = int(py::integerValue(v).value_or(0));
    if (ValuePtr v = args.value(QStringLiteral("password")); v && truthyValue(v))
        spec.password = toStr(v);
    if (ValuePtr v = args.value(QStringLiteral("sentinels")); v && (v->kind == Value::Kind::List || v->kind == Value::Kind::Tuple))
        for (const auto &item : v->items)
            if ((item->kind == Value::Kind::Tuple || item->kind == Value::Kind::List) && item->items.size() == 2)
                spec.sentinels.append({toStr(item->items[0]), int(py::integerValue(item->items[1]).value_or(26379))});
    if (ValuePtr v = args.value(QStringLiteral("master")))
        spec.sentinelMaster = toStr(v);
    if (spec.backend == BackendType::RedisSentinel && spec.sentinels.isEmpty())
        spec.sentinels.append({QStringLiteral("127.0.0.1"), 26379}); // RedisSentinelCache's default
    if (spec.backend == BackendType::RedisSentinel && spec.sentinelMaster.isEmpty())
        spec.sentinelMaster = QStringLiteral("mymaster");
    if (spec.backend == BackendType::Memcached)
        applyMemcachedServers(spec, args.value(QStringLiteral("servers")), QStringLiteral("servers"));
    return spec;
}

ValuePtr supersetDefault(CachePurpose purpose)
{
    auto dict = [](std::initializer_list<std::pair<const char *, ValuePtr>> items) {
        ValuePtr d = Value::newDict();
        for (const auto &[k, v] : items)
            d->dict->set(QStringLiteral("s:") + QLatin1String(k), Value::str(QLatin1String(k)), v, {});
        return d;
    };
    // superset/config.py (3.0+): both temporary caches use JsonKeyValueCodec by default.
    auto jsonCodec = [] {
        auto c = std::make_shared<Value>();
        c->kind = Value::Kind::Call;
        c->s = QStringLiteral("superset.key_value.types.JsonKeyValueCodec");
        c->dict = std::make_shared<py::DictData>();
        return c;
    };
    switch (purpose) {
    case CachePurpose::FilterState:
        return dict({{"CACHE_TYPE", Value::str(QStringLiteral("SupersetMetastoreCache"))}, {"CACHE_DEFAULT_TIMEOUT", Value::integer(7776000)},
                     {"CODEC", jsonCodec()}});
    case CachePurpose::ExploreFormData:
        return dict({{"CACHE_TYPE", Value::str(QStringLiteral("SupersetMetastoreCache"))}, {"CACHE_DEFAULT_TIMEOUT", Value::integer(604800)},
                     {"CODEC", jsonCodec()}});
    default:
        return dict({{"CACHE_TYPE", Value::str(QStringLiteral("NullCache"))}});
    }
}

} // namespace

QList<CacheSpec> ConfigLoader::resolveCaches(const ConfigReport &report, const QHash<QString, QString> &environment)
{
    QList<CacheSpec> out;
    for (CachePurpose p : allPurposes()) {
        const QString name = purposeConfigName(p);
        ValuePtr v = report.setting(name);
        const SourceSpan span = report.settingSpan(name);
        if (p == CachePurpose::Results) {
            if (!v || v->kind == Value::Kind::None)
                continue;
            CacheSpec spec;
            if (v->kind == Value::Kind::Call) {
                spec = fromConstructor(p, v, span);
            } else {
                spec.purpose = p;
                spec.backend = BackendType::Unknown;
                spec.backendSpelling = v->kind == Value::Kind::Dict ? QStringLiteral("dict") : v->kind == Value::Kind::Imported ? v->s : py::typeName(*v);
                spec.spans.insert(name, span);
            }
            ValuePtr msgpack = report.setting(QStringLiteral("RESULTS_BACKEND_USE_MSGPACK"));
            spec.useMsgpack = msgpack ? truthyValue(msgpack) : true;
            if (msgpack)
                spec.spans.insert(QStringLiteral("RESULTS_BACKEND_USE_MSGPACK"), report.settingSpan(QStringLiteral("RESULTS_BACKEND_USE_MSGPACK")));
            out << spec;
            continue;
        }
        if (p == CachePurpose::GlobalAsyncQueries && (!v || v->kind == Value::Kind::None))
            continue;
        if (!v) {
            out << fromFlaskCachingDict(report, p, supersetDefault(p), {});
            continue;
        }
        if (v->kind != Value::Kind::Dict) {
            CacheSpec spec;
            spec.purpose = p;
            spec.backend = BackendType::Unknown;
            spec.backendSpelling = v->kind == Value::Kind::Unknown ? QStringLiteral("<unknown: %1>").arg(v->s) : py::typeName(*v);
            spec.spans.insert(name, span);
            out << spec;
            continue;
        }
        out << fromFlaskCachingDict(report, p, v, span);
    }
    // Metastore-backed caches live in the metadata database: SQLALCHEMY_DATABASE_URI, or
    // Superset's default sqlite:///<DATA_DIR>/superset.db (superset/config.py @ 4.1.0: DATA_DIR
    // is $SUPERSET_HOME, else ~/.superset).
    QString metadataUri;
    SourceSpan metadataSpan;
    if (ValuePtr uri = report.setting(QStringLiteral("SQLALCHEMY_DATABASE_URI")); uri && uri->kind == Value::Kind::Str) {
        metadataUri = uri->s;
        metadataSpan = report.settingSpan(QStringLiteral("SQLALCHEMY_DATABASE_URI"));
    } else if (!uri) {
        const QString home = environment.contains(QStringLiteral("SUPERSET_HOME"))
                                 ? environment.value(QStringLiteral("SUPERSET_HOME"))
                                 : QDir::homePath() + QStringLiteral("/.superset");
        metadataUri = QStringLiteral("sqlite:///%1/superset.db?check_same_thread=false").arg(home);
    }
    for (CacheSpec &spec : out) {
        if (spec.backend != BackendType::SupersetMetastore)
            continue;
        spec.metadataUri = metadataUri;
        if (metadataSpan.isValid())
            spec.spans.insert(QStringLiteral("SQLALCHEMY_DATABASE_URI"), metadataSpan);
        if (ValuePtr hash = report.setting(QStringLiteral("HASH_ALGORITHM")); hash && hash->kind == Value::Kind::Str)
            spec.hashAlgorithm = hash->s.toLower();
    }
    return out;
}

ConfigReport ConfigLoader::loadSource(const QString &source, const QString &fileName, const Options &options)
{
    py::Evaluator::Options eo;
    eo.environment = options.environment;
    eo.searchPath = options.pythonPath;
    eo.maxSteps = options.maxSteps;
    const QString dir = QFileInfo(fileName).absolutePath();
    if (!fileName.isEmpty() && QFileInfo(dir).isDir() && !eo.searchPath.contains(dir))
        eo.searchPath.prepend(dir);
    py::Evaluator ev(eo);
    auto r = ev.runSource(source, fileName);
    ConfigReport report;
    report.fileName = fileName;
    report.source = source;
    report.loaded = r.loaded;
    report.error = r.error;
    report.errorSpan = r.errorSpan;
    report.globals = r.globals;
    report.heap = r.heap;
    report.diagnostics = std::move(r.diagnostics);
    report.envReads = std::move(r.envReads);
    report.importedModules = r.importedModules;
    report.evaluatedFiles = r.evaluatedFiles;
    if (report.globals)
        report.caches = resolveCaches(report, options.environment);
    const auto findings = ConfigDoctor::examine(report);
    report.diagnostics.insert(report.diagnostics.end(), findings.begin(), findings.end());
    return report;
}

ConfigReport ConfigLoader::loadFile(const QString &path, const Options &options)
{
    QFile file(path);
    ConfigReport report;
    report.fileName = path;
    if (!file.open(QIODevice::ReadOnly)) {
        report.error = QStringLiteral("%1: cannot open: %2").arg(path, file.errorString());
        report.diagnostics.push_back(py::Diagnostic{QStringLiteral("error"), {}, QStringLiteral("cannot-open"), report.error, {}});
        return report;
    }
    const qint64 limit = py::Evaluator::Options{}.maxFileBytes;
    if (file.size() > limit) {
        report.error = QStringLiteral("%1: %2 bytes is more than the %3-byte limit for a config file").arg(path, QString::number(file.size()), QString::number(limit));
        report.diagnostics.push_back(py::Diagnostic{QStringLiteral("error"), SourceSpan{1, 1, 1, 1}, QStringLiteral("file-too-large"), report.error, {}});
        return report;
    }
    return loadSource(QString::fromUtf8(file.readAll()), QFileInfo(path).absoluteFilePath(), options);
}

} // namespace cachescope
