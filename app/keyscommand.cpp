#include "keyscommand.h"

#include "clioutput.h"
#include "commandline.h"
#include "commandtarget.h"

#include "browse/filesystemkeysource.h"
#include "browse/keykind.h"
#include "browse/metastorekeysource.h"
#include "browse/memcachedkeysource.h"
#include "browse/rediskeysource.h"
#include "codec/utf8.h"
#include "metadata/metadataconnection.h"
#include "timeouts/keylabels.h"

#include <QDir>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <memory>

namespace cachescope {

namespace {

// The chart, dataset and dashboards cache_keys ties a key to, and the variants of that chart.
void insertLabel(QJsonObject &o, const KeyLabelIndex::Hit &hit)
{
    const KeyLabel &l = *hit.label;
    QJsonArray charts;
    for (qint64 id : l.chartIds)
        charts.append(id);
    o.insert(QStringLiteral("chart"), l.chart);
    o.insert(QStringLiteral("chart_ids"), charts);
    o.insert(QStringLiteral("dataset_id"), l.datasetId);
    o.insert(QStringLiteral("dataset"), l.dataset);
    o.insert(QStringLiteral("dashboards"), l.dashboards);
    o.insert(QStringLiteral("variants"), l.variants);
}

QByteArray jsonLine(const QByteArray &key, const KeyMetadata *meta, const QByteArray &prefix, const QByteArray &known,
                   bool hashedNames, const KeyLabelIndex *labels)
{
    QJsonObject o;
    const QString text = utf8::toString(key);
    o.insert(QStringLiteral("key"), text);
    if (text.toUtf8() != key) // binary key: keep it exact
        o.insert(QStringLiteral("key_base64"), QString::fromLatin1(key.toBase64()));
    if (!known.isEmpty())
        o.insert(QStringLiteral("app_key"), utf8::toString(known));
    if (meta) {
        o.insert(QStringLiteral("type"), QString::fromUtf8(meta->type));
        o.insert(QStringLiteral("ttl_ms"), meta->ttlMs);
        o.insert(QStringLiteral("size"), meta->size);
        if (meta->expired)
            o.insert(QStringLiteral("expired"), true);
        const QString kind = !known.isEmpty() ? keykind::guess(known)
                           : hashedNames  ? keykind::guessForHashedName()
                                          : keykind::guess(QByteArrayView(key).sliced(key.startsWith(prefix) ? prefix.size() : 0));
        if (!kind.isEmpty())
            o.insert(QStringLiteral("kind"), kind);
    }
    if (labels) {
        // Superset recorded the key without the cache's prefix; a hashed name may be known.
        KeyLabelIndex::Hit hit = known.isEmpty() ? KeyLabelIndex::Hit{} : labels->find(known);
        if (!hit)
            hit = labels->find(hashedNames || !key.startsWith(prefix) ? QByteArrayView(key) : QByteArrayView(key).sliced(prefix.size()));
        if (hit)
            insertLabel(o, hit);
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace

int runKeysCommand(const QStringList &args)
{
    CommandLine cl(QStringLiteral("keys"),
                   QStringLiteral("Streams the keys of one cache as stored (Redis: with the prefix; a directory: the\n"
                                  "file names; a metastore cache: the key_value rows' uuids), one per line, or one JSON\n"
                                  "object per line; `cachescope decode` takes them as they are printed."));
    cl.setSynopsis(QStringLiteral("((--redis URL | --memcached SERVERS) [--prefix P] | --dir DIR | --config FILE --cache PURPOSE)\n"
                                  "[--match GLOB] [--limit N] [--meta] [--json] [--metadata-db URI]"));
    cl.addOption(QStringLiteral("match"), QStringLiteral("GLOB"),
                 QStringLiteral("Glob (SCAN MATCH); one that does not start with the prefix gets it."));
    cl.addInteger(QStringLiteral("limit"), QStringLiteral("N"), QStringLiteral("Stop after N keys."), 0);
    cl.addFlag(QStringLiteral("meta"), QStringLiteral("Also type, TTL (ttl_ms, -1 never) and size (implies --json)."));
    cl.addJsonOption(QStringLiteral("One JSON object per line."));
    cl.addOption(QStringLiteral("metadata-db"), QStringLiteral("URI"),
                 QStringLiteral("Superset's metadata database (SQLAlchemy URI, read-only): each chart-data key its "
                                "cache_keys table records gets chart, chart_ids, dataset_id, dataset, dashboards and "
                                "variants (distinct keys of that chart, or of its dataset when several charts share it). "
                                "Implies --json."));
    cl.addCacheTargetOptions();
    if (const auto exit = cl.parse(args))
        return *exit;
    int status = 0;
    const auto target = cacheTarget(cl, &status);
    if (!target)
        return status;
    std::unique_ptr<KeySource> source;
    if (target->kind == CacheTarget::Kind::Redis) {
        source = std::make_unique<RedisKeySource>(target->redis, target->prefix);
    } else if (target->kind == CacheTarget::Kind::Metastore) {
        auto metastore = MetastoreKeySource::fromSpec(*target->spec); // rows by uuid, read-only
        if (!metastore)
            return cl.fail(metastore.error());
        source = std::move(*metastore);
    } else if (target->kind == CacheTarget::Kind::Memcached) {
        source = std::make_unique<MemcachedKeySource>(target->memcached.client, target->prefix);
    } else {
        source = std::make_unique<FileSystemKeySource>(target->directory);
    }
    const qint64 maxKeys = cl.integer(QStringLiteral("limit"), -1);
    const QByteArray keyPrefix = source->keyPrefix();
    QByteArray pattern = cl.value(QStringLiteral("match")).toUtf8();
    if (pattern.isEmpty())
        pattern = keyPrefix.isEmpty() ? QByteArray("*") : KeySource::globEscape(keyPrefix) + '*';
    else if (!pattern.startsWith(keyPrefix))
        pattern = KeySource::globEscape(keyPrefix) + pattern;
    const bool withMeta = cl.isSet(QStringLiteral("meta"));
    std::shared_ptr<const KeyLabelIndex> labels;
    if (cl.isSet(QStringLiteral("metadata-db"))) {
        // Read whole before the first key is printed: a label needs every cache_keys row of its chart.
        auto uri = MetadataUri::parse(cl.value(QStringLiteral("metadata-db")), QDir::currentPath());
        if (!uri)
            return cl.usageError(QStringLiteral("--metadata-db: %1").arg(uri.error()));
        MetadataConnection connection(*uri);
        auto snapshot = connection.call([&connection](MetadataDatabase &db) -> Expected<MetadataSnapshot> {
            if (auto opened = connection.ensureOpen(); !opened)
                return Error{opened.error()};
            return db.snapshot();
        });
        if (!snapshot)
            return cl.fail(snapshot.error());
        auto index = std::make_shared<const TimeoutIndex>(*snapshot, TimeoutConfig{}, SupersetFamily::Master);
        bool truncated = false;
        KeyLabelIndex::LoadOptions options;
        options.truncated = &truncated;
        auto loaded = snapshot->cacheKeyCount ? KeyLabelIndex::load(index, source->storesHashedNames(), connection, options)
                                              : Expected<std::shared_ptr<KeyLabelIndex>>(std::make_shared<KeyLabelIndex>(index));
        if (!loaded)
            return cl.fail(loaded.error());
        if (!snapshot->cacheKeyCount)
            cli::writeErr(QStringLiteral("note: %1 has no cache_keys table: no key can be labelled\n").arg(connection.redactedUri()).toUtf8());
        else if (truncated)
            cli::writeErr(QStringLiteral("note: only the first %1 cache_keys rows were read\n").arg(options.maxRows).toUtf8());
        labels = *loaded;
    }
    const bool asJson = cl.isSet(QStringLiteral("json")) || withMeta || labels;

    // One SCAN page at a time; with --meta each page's metadata is one pipelined request. A large
    // page arrives in slices (ScanBatch::more, memcached's metadump of a big slab class): the
    // next page is asked for once the last slice and all its metadata are in.
    QEventLoop loop;
    qint64 written = 0;
    QSet<size_t> seen; // SCAN may repeat keys; a hash per key keeps this small
    QByteArray cursor = "0";
    quint64 scanId = 0;
    QSet<quint64> metaIds; // answered in request order (one worker thread)
    bool scanDone = false;
    bool pageComplete = false;
    auto emitKeys = [&](const QList<QByteArray> &keys, const QList<KeyMetadata> *metas) {
        for (qsizetype i = 0; i < keys.size(); ++i) {
            if (maxKeys >= 0 && written >= maxKeys)
                return;
            const QByteArray known = source->knownKeyFor(keys[i]);
            if (asJson)
                cli::writeOut(jsonLine(keys[i], metas ? &(*metas)[i] : nullptr, keyPrefix, known, source->storesHashedNames(),
                                       labels.get()));
            else
                cli::writeOut(keys[i] + '\n');
            ++written;
        }
    };
    auto next = [&] {
        if (scanDone || (maxKeys >= 0 && written >= maxKeys)) {
            loop.quit();
            return;
        }
        pageComplete = false;
        scanId = source->requestScan(cursor, pattern, 1000, false);
    };
    auto nextWhenPageDone = [&] {
        if (pageComplete && metaIds.isEmpty())
            next();
    };
    QObject::connect(source.get(), &KeySource::scanReady, &loop, [&](quint64 id, const ScanBatch &batch) {
        if (id != scanId)
            return;
        if (!batch.more) {
            cursor = batch.nextCursor;
            scanDone = batch.done();
            pageComplete = true;
        }
        QList<QByteArray> fresh;
        for (const QByteArray &k : batch.keys) {
            const size_t h = qHash(k, 0x2545F491u);
            if (!seen.contains(h)) {
                seen.insert(h);
                fresh << k;
            }
        }
        if (maxKeys >= 0 && fresh.size() > maxKeys - written)
            fresh.resize(maxKeys - written);
        if (withMeta && !fresh.isEmpty()) {
            metaIds.insert(source->requestMetadata(fresh));
            return;
        }
        emitKeys(fresh, nullptr);
        cli::flushOut();
        nextWhenPageDone();
    });
    QObject::connect(source.get(), &KeySource::metadataReady, &loop, [&](quint64 id, const QList<KeyMetadata> &metas) {
        if (!metaIds.remove(id))
            return;
        QList<QByteArray> keys;
        for (const KeyMetadata &m : metas)
            keys << m.key;
        emitKeys(keys, &metas);
        cli::flushOut(); // a page at a time, so `keys | decode` starts before the SCAN ends
        nextWhenPageDone();
    });
    auto fail = [&](quint64, const QString &message) {
        status = cl.fail(message);
        loop.quit();
    };
    QObject::connect(source.get(), &KeySource::scanFailed, &loop, fail);
    QObject::connect(source.get(), &KeySource::metadataFailed, &loop, fail);
    next();
    loop.exec();
    return status;
}

} // namespace cachescope
