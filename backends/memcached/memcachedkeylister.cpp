#include "memcachedkeylister.h"

#include <QThread>

#include <algorithm>

namespace cachescope {

namespace {

struct Position
{
    int server = 0;
    int slabClass = 0; // 0: the first class that holds items
};

std::optional<Position> parseCursor(const QByteArray &cursor)
{
    if (MemcachedKeyLister::isDone(cursor))
        return Position{};
    const qsizetype colon = cursor.indexOf(':');
    if (colon <= 0)
        return std::nullopt;
    bool okServer = false, okClass = false;
    const int server = cursor.left(colon).toInt(&okServer);
    const int slabClass = cursor.mid(colon + 1).toInt(&okClass);
    if (!okServer || !okClass || server < 0 || slabClass < 0 || slabClass > 255)
        return std::nullopt;
    return Position{server, slabClass};
}

QByteArray cursorOf(int server, int slabClass)
{
    return QByteArray::number(server) + ':' + QByteArray::number(slabClass);
}

} // namespace

Expected<QList<int>> MemcachedKeyLister::classesOf(int server)
{
    auto items = m_client.link(server).stats("items");
    if (!items)
        return Error{items.error()};
    QList<int> classes;
    for (const auto &[name, value] : *items) {
        // "items:<class>:number <count>"
        if (!name.startsWith("items:") || !name.endsWith(":number") || value == "0")
            continue;
        bool ok = false;
        const int c = name.mid(6, name.size() - 6 - 7).toInt(&ok);
        if (ok && !classes.contains(c))
            classes.append(c);
    }
    std::sort(classes.begin(), classes.end());
    return classes;
}

Expected<QByteArray> MemcachedKeyLister::page(const QByteArray &cursor, const ItemCallback &onItem,
                                               const std::atomic_bool *stop)
{
    const auto at = parseCursor(cursor);
    if (!at || at->server >= m_client.serverCount())
        return makeError(QStringLiteral("memcached: invalid key-listing cursor \"%1\"").arg(QString::fromUtf8(cursor)));
    MemcachedLink &link = m_client.link(at->server);
    auto classes = classesOf(at->server);
    if (!classes)
        return Error{classes.error()};
    // The first class at or after the cursor's (classes may have emptied since the last page).
    const auto it = std::lower_bound(classes->begin(), classes->end(), std::max(1, at->slabClass));
    auto nextServer = [&]() -> QByteArray {
        return at->server + 1 < m_client.serverCount() ? cursorOf(at->server + 1, 0) : QByteArrayLiteral("0");
    };
    if (it == classes->end())
        return nextServer();
    const int slabClass = *it;
    const QByteArray next = it + 1 != classes->end() ? cursorOf(at->server, *(it + 1)) : nextServer();

    QString lineError;
    bool stoppedByCaller = false;
    for (int attempt = 0; attempt < 40; ++attempt) {
        auto outcome = link.metadump(QByteArray::number(slabClass), [&](QByteArrayView line) {
            auto item = memcachedreplies::parseMetadumpLine(line);
            if (!item) {
                lineError = item.error();
                return false;
            }
            if (!onItem(at->server, std::move(*item))) {
                stoppedByCaller = true;
                return false;
            }
            return true;
        });
        if (!outcome)
            return Error{outcome.error()};
        if (!lineError.isEmpty())
            return makeError(QStringLiteral("memcached %1: lru_crawler metadump: %2").arg(link.serverName(), lineError));
        if (*outcome == MemcachedLink::MetadumpOutcome::Busy) {
            if (stop && stop->load())
                break;
            QThread::msleep(50);
            continue;
        }
        return stoppedByCaller ? cursorOf(at->server, slabClass) : next;
    }
    return makeError(QStringLiteral("memcached %1: the LRU crawler stayed busy (another metadump or crawl is running); "
                                    "try again")
                         .arg(link.serverName()));
}

} // namespace cachescope
