#include "keysource.h"

#include <QDateTime>

namespace cachescope {

KeySource::KeySource(QByteArray keyPrefix, QObject *parent) : QObject(parent), m_keyPrefix(std::move(keyPrefix))
{
    qRegisterMetaType<ScanBatch>();
    qRegisterMetaType<KeyMetadata>();
    qRegisterMetaType<QList<KeyMetadata>>();
}

KeySource::~KeySource() = default;

QList<QByteArray> KeySource::storedKeysFor(const QByteArray &typedKey) const
{
    // Redis-like stores keep prefix + key; accept the key with or without the prefix.
    if (typedKey.startsWith(m_keyPrefix))
        return {typedKey};
    return {m_keyPrefix + typedKey};
}

QByteArray KeySource::knownKeyFor(const QByteArray &) const
{
    return {};
}

void KeySource::setWritesEnabled(bool enabled)
{
    if (m_writesEnabled == enabled)
        return;
    m_writesEnabled = enabled;
    Q_EMIT writesEnabledChanged(enabled);
}

void KeySource::setReachable(bool reachable, const QString &reason)
{
    if (reachable == isReachable()) {
        if (!reachable && reason != m_unreachableReason) {
            m_unreachableReason = reason; // still away, for another reason: say the newest one
            Q_EMIT reachabilityChanged(false, reason);
        }
        return;
    }
    m_unreachableSinceMs = reachable ? 0 : QDateTime::currentMSecsSinceEpoch();
    m_unreachableReason = reachable ? QString() : reason;
    Q_EMIT reachabilityChanged(reachable, m_unreachableReason);
}

bool KeySource::isInsidePrefix(const QByteArray &storedKey) const
{
    return storedKey.startsWith(m_keyPrefix) && storedKey.size() > m_keyPrefix.size();
}

quint64 KeySource::refuse(const QString &why)
{
    const quint64 id = nextId();
    post([this, id, why] { Q_EMIT writeFailed(id, why); });
    return id;
}

quint64 KeySource::deleteKeys(const QList<QByteArray> &keys)
{
    if (!m_writesEnabled)
        return refuse(QStringLiteral("delete refused: %1 is read-only (enable writes first)").arg(description()));
    for (const auto &k : keys) {
        if (!isInsidePrefix(k))
            return refuse(QStringLiteral("delete refused: key '%1' is outside the cache's key prefix '%2'")
                              .arg(QString::fromUtf8(k), QString::fromUtf8(m_keyPrefix)));
    }
    const quint64 id = nextId();
    doDeleteKeys(id, keys);
    return id;
}

quint64 KeySource::deleteNamespace(const QByteArray &namespacePath)
{
    if (!m_writesEnabled)
        return refuse(QStringLiteral("namespace delete refused: %1 is read-only (enable writes first)")
                          .arg(description()));
    // An empty path would mean "the whole prefix"; require at least the prefix itself plus one byte
    // unless the cache has no prefix at all, in which case the namespace must still be non-empty.
    if (!namespacePath.startsWith(m_keyPrefix) || namespacePath.isEmpty()
        || (namespacePath.size() == m_keyPrefix.size() && m_keyPrefix.isEmpty()))
        return refuse(QStringLiteral("namespace delete refused: '%1' is outside the cache's key prefix '%2'")
                          .arg(QString::fromUtf8(namespacePath), QString::fromUtf8(m_keyPrefix)));
    const quint64 id = nextId();
    doDeleteNamespace(id, namespacePath);
    return id;
}

quint64 KeySource::setTtl(const QList<QByteArray> &keys, qint64 ttlMs)
{
    if (!m_writesEnabled)
        return refuse(QStringLiteral("TTL change refused: %1 is read-only (enable writes first)").arg(description()));
    if (ttlMs == 0)
        return refuse(QStringLiteral("TTL change refused: a TTL of 0 would delete the key; use delete"));
    for (const auto &k : keys) {
        if (!isInsidePrefix(k))
            return refuse(QStringLiteral("TTL change refused: key '%1' is outside the cache's key prefix '%2'")
                              .arg(QString::fromUtf8(k), QString::fromUtf8(m_keyPrefix)));
    }
    const quint64 id = nextId();
    doSetTtl(id, keys, ttlMs);
    return id;
}

QByteArray KeySource::globEscape(const QByteArray &literal)
{
    QByteArray out;
    out.reserve(literal.size() + 4);
    for (char c : literal) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            out.append('\\');
        out.append(c);
    }
    return out;
}

} // namespace cachescope
