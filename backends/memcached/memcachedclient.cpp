#include "memcachedclient.h"

#include <QHash>

namespace cachescope {

namespace {

QList<int> weightsOf(const QList<MemcachedEndpoint> &servers)
{
    QList<int> weights;
    for (const auto &s : servers)
        weights.append(s.weight);
    return weights;
}

} // namespace

MemcachedClient::MemcachedClient(Options options)
    : m_options(std::move(options)), m_distribution(m_options.client, weightsOf(m_options.servers))
{
    for (const auto &server : m_options.servers)
        m_links.push_back(std::make_unique<MemcachedLink>(server, m_options.timeout, m_options.credentials));
}

MemcachedClient::~MemcachedClient() = default;

QString MemcachedClient::description() const
{
    QStringList names;
    for (const auto &server : m_options.servers)
        names << server.name();
    const QString user = m_options.credentials.isSet() ? m_options.credentials.username + QStringLiteral(":***@") : QString();
    return user + names.join(QLatin1Char(','));
}

void MemcachedClient::close()
{
    for (auto &link : m_links)
        link->close();
}

template<typename T, typename PerServer>
Expected<QList<T>> MemcachedClient::scatter(qsizetype count, const std::function<QByteArrayView(qsizetype)> &keyAt,
                                            PerServer &&perServer)
{
    QList<T> out(count);
    if (m_links.empty())
        return makeError(QStringLiteral("memcached: no server configured"));
    std::vector<QList<qsizetype>> positions(m_links.size());
    for (qsizetype i = 0; i < count; ++i)
        positions[size_t(serverFor(keyAt(i)))].append(i);
    for (size_t server = 0; server < positions.size(); ++server) {
        if (positions[server].isEmpty())
            continue;
        Expected<QList<T>> answers = perServer(int(server), positions[server]);
        if (!answers)
            return Error{answers.error()};
        if (answers->size() != positions[server].size())
            return makeError(QStringLiteral("memcached %1: %2 answers for %3 requests")
                                 .arg(link(int(server)).serverName())
                                 .arg(answers->size())
                                 .arg(positions[server].size()));
        for (qsizetype i = 0; i < answers->size(); ++i)
            out[positions[server][i]] = std::move((*answers)[i]);
    }
    return out;
}

Expected<QList<std::optional<MemcachedItem>>> MemcachedClient::get(const QList<QByteArray> &keys)
{
    return scatter<std::optional<MemcachedItem>>(
        keys.size(), [&](qsizetype i) { return QByteArrayView(keys[i]); },
        [&](int server, const QList<qsizetype> &at) -> Expected<QList<std::optional<MemcachedItem>>> {
            QList<QByteArray> mine;
            for (qsizetype i : at)
                mine.append(keys[i]);
            auto found = link(server).get(mine);
            if (!found)
                return Error{found.error()};
            QHash<QByteArray, MemcachedItem> byKey;
            for (auto &v : *found)
                byKey.insert(v.key, std::move(v.item));
            QList<std::optional<MemcachedItem>> answers;
            for (const auto &key : mine) {
                auto it = byKey.constFind(key);
                answers.append(it == byKey.cend() ? std::nullopt : std::optional<MemcachedItem>(*it));
            }
            return answers;
        });
}

Expected<QList<MemcachedLink::StoreResult>> MemcachedClient::store(const QList<MemcachedLink::Store> &stores)
{
    return scatter<MemcachedLink::StoreResult>(
        stores.size(), [&](qsizetype i) { return QByteArrayView(stores[i].key); },
        [&](int server, const QList<qsizetype> &at) {
            QList<MemcachedLink::Store> mine;
            for (qsizetype i : at)
                mine.append(stores[i]);
            return link(server).store(mine);
        });
}

Expected<QList<bool>> MemcachedClient::remove(const QList<QByteArray> &keys)
{
    return scatter<bool>(keys.size(), [&](qsizetype i) { return QByteArrayView(keys[i]); },
                         [&](int server, const QList<qsizetype> &at) {
                             QList<QByteArray> mine;
                             for (qsizetype i : at)
                                 mine.append(keys[i]);
                             return link(server).remove(mine);
                         });
}

Expected<QList<bool>> MemcachedClient::touch(const QList<QByteArray> &keys, qint64 exptime)
{
    return scatter<bool>(keys.size(), [&](qsizetype i) { return QByteArrayView(keys[i]); },
                         [&](int server, const QList<qsizetype> &at) {
                             QList<QByteArray> mine;
                             for (qsizetype i : at)
                                 mine.append(keys[i]);
                             return link(server).touch(mine, exptime);
                         });
}

Expected<QList<std::optional<MemcachedLink::Meta>>> MemcachedClient::meta(const QList<QByteArray> &keys)
{
    return scatter<std::optional<MemcachedLink::Meta>>(keys.size(), [&](qsizetype i) { return QByteArrayView(keys[i]); },
                                                       [&](int server, const QList<qsizetype> &at) {
                                                           QList<QByteArray> mine;
                                                           for (qsizetype i : at)
                                                               mine.append(keys[i]);
                                                           return link(server).meta(mine);
                                                       });
}

Expected<std::optional<quint64>> MemcachedClient::incrDecr(const QByteArray &key, quint64 delta, bool increment)
{
    if (m_links.empty())
        return makeError(QStringLiteral("memcached: no server configured"));
    return link(serverFor(key)).incrDecr(key, delta, increment);
}

} // namespace cachescope
