// Over ~1,000 lines: the tree, its lazy scans, metadata, sorting and the label columns share the
// private Node structure; splitting them would expose it.
#include "keytreemodel.h"

#include "browse/keykind.h"
#include "browse/keysource.h"
#include "codec/utf8.h"
#include "chunkedvector.h"
#include "formatting.h"

#include "stalestyle.h"

#include <QDateTime>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstring>

namespace cachescope {

namespace {

constexpr quint32 kNoKey = KeyArena::kNoKey;
constexpr int kMaxDepth = 12;
constexpr int kMaxCount = 16384;
// A fetchMore keeps scanning until this many new rows arrived (or the scan ends), so a sparse
// MATCH does not leave the view empty after one batch.
constexpr int kMinRowsPerFetch = 200;
constexpr qsizetype kMaxMetaEntries = 200000;
constexpr qint64 kMetaStaleMs = 30000;

} // namespace

struct KeyTreeModel::Node
{
    Node *parent = nullptr;
    int row = 0; // index in parent->children
    QByteArray name;
    QByteArray path; // stored-key prefix of everything below (root: the cache prefix)
    std::vector<std::unique_ptr<Node>> children;
    QHash<QByteArray, Node *> childByName;
    ChunkedVector<quint32> leaves;
    quint64 keyCount = 0;
    // The namespace's own SCAN (MATCH path*), used before the whole keyspace is loaded.
    QByteArray cursor = "0";
    bool scanned = false;
    quint64 inflight = 0;
    int rowCount() const { return int(children.size() + leaves.size()); }
};

struct KeyTreeModel::Meta
{
    QByteArray type;
    qint64 ttlMs = -2;
    qint64 size = -1;
    qint64 fetchedMs = 0;
    bool expired = false;
};

struct KeyTreeModel::Request
{
    Node *node = nullptr;
    bool continuous = false;
};

KeyTreeModel::KeyTreeModel(QObject *parent)
    : QAbstractItemModel(parent), m_ttlTimer(new QTimer(this)), m_countTimer(new QTimer(this))
{
    m_countTimer->setSingleShot(true);
    m_countTimer->setInterval(100);
    connect(m_countTimer, &QTimer::timeout, this, &KeyTreeModel::announceCounts);
    resetKeyspace();
    m_progressClock.start();
    m_ttlTimer->setInterval(1000);
    connect(m_ttlTimer, &QTimer::timeout, this, &KeyTreeModel::tickTtl);
    m_ttlTimer->start();
}

KeyTreeModel::~KeyTreeModel()
{
    if (m_source && m_loadAllId)
        m_source->cancel(m_loadAllId);
}

void KeyTreeModel::resetKeyspace()
{
    if (m_source && m_loadAllId)
        m_source->cancel(m_loadAllId);
    m_loadAllId = 0;
    m_requests.clear();
    m_countsChanged.clear(); // their nodes are about to go
    m_metaRequests.clear();
    m_liveRows.clear();
    m_meta.clear();
    m_root = std::make_unique<Node>();
    m_root->path = m_source ? m_source->keyPrefix() : QByteArray();
    m_keys.clear();
    std::fill(std::begin(m_sepTable), std::end(m_sepTable), false);
    for (char c : std::as_const(m_separators))
        m_sepTable[quint8(c)] = true;
    m_removed.clear();
    m_liveKeys = 0;
    m_adaptiveCount = m_batchSize;
    m_sortColumn = -1;
    m_exact = false;
}

void KeyTreeModel::setSource(KeySource *source)
{
    const bool wasLoading = isLoadingAll();
    beginResetModel();
    if (m_source)
        disconnect(m_source, nullptr, this, nullptr);
    if (m_source && m_loadAllId)
        m_source->cancel(m_loadAllId);
    m_loadAllId = 0;
    m_source = source;
    if (source) {
        connect(source, &KeySource::scanReady, this, &KeyTreeModel::onScanReady);
        connect(source, &KeySource::scanFailed, this, &KeyTreeModel::onScanFailed);
        connect(source, &KeySource::metadataReady, this, &KeyTreeModel::onMetadataReady);
        connect(source, &KeySource::reachabilityChanged, this, &KeyTreeModel::onReachabilityChanged);
        connect(source, &KeySource::serverReplaced, this, &KeyTreeModel::onServerReplaced);
    }
    resetKeyspace();
    const bool wasStale = isStale();
    m_staleSinceMs = source ? source->unreachableSinceMs() : 0;
    endResetModel();
    if (wasStale != isStale())
        Q_EMIT staleChanged(isStale());
    if (wasLoading)
        Q_EMIT loadingChanged(false);
}

void KeyTreeModel::setFilter(const QByteArray &glob)
{
    if (glob == m_filter && !m_exact)
        return;
    const bool wasLoading = isLoadingAll();
    beginResetModel();
    m_filter = glob;
    resetKeyspace();
    endResetModel();
    if (wasLoading)
        Q_EMIT loadingChanged(false);
}

void KeyTreeModel::setSeparators(const QByteArray &separators)
{
    if (separators == m_separators)
        return;
    beginResetModel();
    m_separators = separators;
    resetKeyspace();
    endResetModel();
}

void KeyTreeModel::setBatchSize(int count)
{
    m_batchSize = qBound(10, count, kMaxCount);
    m_adaptiveCount = m_batchSize;
}

QByteArray KeyTreeModel::scanMatch() const
{
    const QByteArray prefix = m_source ? m_source->keyPrefix() : QByteArray();
    if (m_filter.isEmpty())
        return prefix.isEmpty() ? QByteArray("*") : KeySource::globEscape(prefix) + '*';
    if (m_filter.startsWith(prefix))
        return m_filter;
    return KeySource::globEscape(prefix) + m_filter;
}

bool KeyTreeModel::isScanComplete() const
{
    return m_root->scanned;
}

bool KeyTreeModel::isFetching() const
{
    return !m_requests.isEmpty();
}

// ---- key storage ---------------------------------------------------------------------------

quint32 KeyTreeModel::addKey(QByteArrayView key)
{
    const quint32 id = m_keys.add(key);
    if (id != kNoKey)
        m_removed.push_back(false);
    return id;
}

// Walks the namespaces of a key (creating missing ones with per-row inserts) and queues the key
// as a leaf of its namespace; leaves are inserted per namespace once per batch.
KeyTreeModel::Node *KeyTreeModel::placeKey(quint32 id, QByteArrayView key,
                                           std::vector<std::pair<Node *, std::vector<quint32>>> &pending,
                                           QHash<Node *, qsizetype> &pendingIndex)
{
    Node *node = m_root.get();
    qsizetype nameStart = key.startsWith(m_root->path) ? m_root->path.size() : 0;
    if (nameStart == 0 && !m_root->path.isEmpty()) {
        // Outside the prefix (only possible for a typed key): keep it at the top level, unsplit.
        nameStart = key.size();
    }
    int depth = 0;
    for (qsizetype i = nameStart; i < key.size() && depth < kMaxDepth; ++i) {
        if (!m_sepTable[quint8(key[i])] || i == nameStart)
            continue;
        const QByteArrayView segment = key.sliced(nameStart, i - nameStart);
        if (keykind::isHashLike(segment))
            break; // a digest stays one leaf, whatever follows it
        if (i + 1 >= key.size())
            break; // a trailing separator: the key itself is the leaf
        Node *child = nullptr;
        if (node->children.size() <= 16) { // few namespaces: compare without allocating
            for (const auto &c : node->children) {
                if (QByteArrayView(c->name) == segment) {
                    child = c.get();
                    break;
                }
            }
        } else {
            child = node->childByName.value(segment.toByteArray());
        }
        if (!child) {
            auto fresh = std::make_unique<Node>();
            fresh->parent = node;
            fresh->row = int(node->children.size());
            fresh->name = segment.toByteArray();
            fresh->path = key.first(i + 1).toByteArray();
            fresh->scanned = node->scanned;
            child = fresh.get();
            const QModelIndex parentIndex = indexOf(node);
            beginInsertRows(parentIndex, fresh->row, fresh->row);
            node->childByName.insert(fresh->name, child);
            node->children.push_back(std::move(fresh));
            endInsertRows();
        }
        node = child;
        nameStart = i + 1;
        ++depth;
    }
    auto it = pendingIndex.constFind(node);
    if (it == pendingIndex.cend()) {
        pendingIndex.insert(node, qsizetype(pending.size()));
        pending.push_back({node, {id}});
    } else {
        pending[size_t(*it)].second.push_back(id);
    }
    return node;
}

bool KeyTreeModel::insertLeafRows(Node *node, std::vector<quint32> &ids)
{
    if (ids.empty())
        return false;
    const int first = node->rowCount();
    beginInsertRows(indexOf(node), first, first + int(ids.size()) - 1);
    node->leaves.append(ids.begin(), ids.end());
    endInsertRows();
    for (Node *n = node; n; n = n->parent)
        n->keyCount += ids.size();
    return true;
}

// ---- scanning ------------------------------------------------------------------------------

void KeyTreeModel::sendScan(Node *node, bool continuous)
{
    if (!m_source)
        return;
    const QByteArray match = node == m_root.get() ? scanMatch() : KeySource::globEscape(node->path) + '*';
    const quint64 id = m_source->requestScan(node->cursor, match, continuous ? m_batchSize : m_adaptiveCount, continuous);
    node->inflight = id;
    m_requests.insert(id, Request{node, continuous});
    if (continuous)
        m_loadAllId = id;
}

bool KeyTreeModel::canFetchMore(const QModelIndex &parent) const
{
    if (!m_source || m_root->scanned)
        return false;
    if (!parent.isValid())
        return !m_root->inflight;
    Node *node = nodeOf(parent);
    // With a filter only the root scan applies (a namespace scan would bypass the filter).
    return node && m_filter.isEmpty() && !node->scanned && !node->inflight;
}

void KeyTreeModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    Node *node = parent.isValid() ? nodeOf(parent) : m_root.get();
    m_rowsSinceFetch = 0;
    sendScan(node, false);
    if (node == m_root.get())
        Q_EMIT loadingChanged(true);
}

void KeyTreeModel::loadAll()
{
    if (!m_source || m_root->scanned || m_loadAllId)
        return;
    if (m_root->inflight) // a single-batch fetch is running: let it finish and chain from its reply
        m_requests.remove(m_root->inflight);
    sendScan(m_root.get(), true);
    Q_EMIT loadingChanged(true);
}

void KeyTreeModel::cancelLoad()
{
    if (!m_loadAllId)
        return;
    if (m_source)
        m_source->cancel(m_loadAllId);
    m_requests.remove(m_loadAllId);
    m_root->inflight = 0;
    m_loadAllId = 0;
    emitProgress(true);
    Q_EMIT loadingChanged(false);
}

void KeyTreeModel::reload()
{
    const bool everything = m_loadAllId != 0 || m_root->scanned;
    const bool wasLoading = isLoadingAll();
    const bool exact = m_exact;
    beginResetModel();
    resetKeyspace(); // keeps the filter
    if (exact) {
        m_exact = true;
        m_root->scanned = true;
    }
    endResetModel();
    if (wasLoading)
        Q_EMIT loadingChanged(false);
    if (!m_source || exact)
        return;
    if (everything) {
        loadAll();
    } else {
        fetchMore({});
    }
}

void KeyTreeModel::setStaleSince(qint64 ms)
{
    if ((ms != 0) == isStale()) {
        if (ms)
            m_staleSinceMs = ms;
        return;
    }
    m_staleSinceMs = ms;
    // Every row changes colour (and TTLs freeze or resume).
    emitAllRowsChanged(0, NUM_COLUMNS - 1);
    Q_EMIT staleChanged(isStale());
}

void KeyTreeModel::emitAllRowsChanged(int firstColumn, int lastColumn)
{
    // One dataChanged per namespace's rows.
    std::vector<Node *> stack{m_root.get()};
    while (!stack.empty()) {
        Node *n = stack.back();
        stack.pop_back();
        if (n->rowCount() > 0)
            Q_EMIT dataChanged(index(0, firstColumn, indexOf(n)), index(n->rowCount() - 1, lastColumn, indexOf(n)));
        for (auto &c : n->children)
            stack.push_back(c.get());
    }
}

void KeyTreeModel::setKeyLabels(std::shared_ptr<const KeyLabelIndex> labels)
{
    if (labels == m_labels)
        return;
    m_labels = std::move(labels);
    emitAllRowsChanged(kFirstLabelColumn, NUM_COLUMNS - 1);
}

KeyLabelIndex::Hit KeyTreeModel::labelOf(quint32 kid) const
{
    if (!m_labels || kid == kNoKey)
        return {};
    const QByteArrayView key = keyView(kid);
    // A hashed source (file names) may know the application's key; the index also holds the
    // hashed names of every recorded key.
    if (m_source && m_source->storesHashedNames()) {
        const QByteArray known = m_source->knownKeyFor(key.toByteArray());
        if (!known.isEmpty())
            if (auto hit = m_labels->find(known))
                return hit;
        return m_labels->find(key);
    }
    const QByteArrayView prefix(m_root->path);
    return m_labels->find(key.startsWith(prefix) ? key.sliced(prefix.size()) : key);
}

void KeyTreeModel::onReachabilityChanged(bool reachable)
{
    if (!reachable) {
        setStaleSince(m_source && m_source->unreachableSinceMs() ? m_source->unreachableSinceMs()
                                                                 : QDateTime::currentMSecsSinceEpoch());
        return;
    }
    if (!isStale())
        return;
    setStaleSince(0);
    // Back, the same server: the keys are still its keys, but their metadata may have moved on.
    QModelIndexList rows;
    for (const QPersistentModelIndex &p : std::as_const(m_liveRows))
        if (p.isValid())
            rows.append(p);
    requestMetadata(rows, true);
}

void KeyTreeModel::onServerReplaced()
{
    // A different server instance answers (it restarted): none of the loaded keys is known to
    // exist. Start again; the server has just answered, so nothing shown from now on is stale.
    setStaleSince(0);
    reload();
    Q_EMIT keyspaceReplaced();
}

void KeyTreeModel::onScanReady(quint64 id, const ScanBatch &batch)
{
    Q_ASSERT(thread() == QThread::currentThread());
    const auto req = m_requests.constFind(id);
    if (req == m_requests.cend())
        return; // superseded (filter changed, cancelled): drop
    Node *node = req->node;
    const bool continuous = req->continuous;

    std::vector<std::pair<Node *, std::vector<quint32>>> pending;
    QHash<Node *, qsizetype> pendingIndex;
    // The dedupe lookup is one random memory access per key: hash the batch first and prefetch
    // a few keys ahead, so those accesses overlap (measured: a third of the GUI thread's time).
    constexpr qsizetype kPrefetchAhead = 8;
    const qsizetype n = batch.keys.size();
    m_hashes.resize(size_t(n));
    for (qsizetype i = 0; i < n; ++i) {
        m_hashes[size_t(i)] = KeyArena::hash(batch.keys[i]);
        if (i < kPrefetchAhead)
            m_keys.prefetch(m_hashes[size_t(i)]);
    }
    for (qsizetype i = 0; i < n; ++i) {
        if (i + kPrefetchAhead < n)
            m_keys.prefetch(m_hashes[size_t(i + kPrefetchAhead)]);
        const QByteArray &key = batch.keys[i];
        const size_t h = m_hashes[size_t(i)];
        quint32 kid = m_keys.find(key, h);
        if (kid != kNoKey) {
            if (!m_removed[kid])
                continue; // SCAN may return a key more than once
            m_removed[kid] = false; // deleted earlier, exists again
        } else {
            kid = m_keys.add(key, h);
            if (kid == kNoKey) {
                Q_EMIT errorOccurred(tr("Key browser full (4 GiB of key names, or a name over 64 KiB); narrow the filter"));
                break;
            }
            m_removed.push_back(false);
        }
        placeKey(kid, key, pending, pendingIndex);
    }
    int inserted = 0;
    for (auto &[target, ids] : pending) {
        inserted += int(ids.size());
        insertLeafRows(target, ids);
    }
    m_liveKeys += quint64(inserted);
    // Namespace rows show their key counts. Announced at most ten times a second: every
    // dataChanged of a view's first row makes QTreeView measure that row's text again.
    for (auto &[target, ids] : pending) {
        for (Node *n = target; n && n != m_root.get(); n = n->parent) {
            if (m_countsChanged.contains(n))
                break;
            m_countsChanged.insert(n);
        }
    }
    if (!m_countsChanged.isEmpty() && !m_countTimer->isActive())
        m_countTimer->start();

    if (batch.more) {
        // One slice of a larger SCAN page: the cursor moves when its last slice arrives.
        emitProgress(false);
        return;
    }
    node->cursor = batch.nextCursor;
    const bool done = batch.done();
    if (done) {
        node->scanned = true;
        if (node == m_root.get()) {
            // The whole (filtered) keyspace is loaded: no namespace needs its own scan any more.
            std::vector<Node *> stack{m_root.get()};
            while (!stack.empty()) {
                Node *n = stack.back();
                stack.pop_back();
                n->scanned = true;
                for (auto &c : n->children)
                    stack.push_back(c.get());
            }
        }
    }
    if (continuous) {
        if (done) {
            m_requests.remove(id);
            node->inflight = 0;
            m_loadAllId = 0;
            emitProgress(true);
            Q_EMIT loadingChanged(false);
        } else {
            emitProgress(false);
        }
        return;
    }
    m_requests.remove(id);
    node->inflight = 0;
    // Adaptive COUNT: a sparse MATCH returns few keys per round trip, so scan more per request.
    if (!m_filter.isEmpty() && batch.keys.size() * 8 < m_adaptiveCount)
        m_adaptiveCount = qMin(m_adaptiveCount * 2, kMaxCount);
    else if (batch.keys.size() * 2 > m_adaptiveCount)
        m_adaptiveCount = qMax(m_batchSize, m_adaptiveCount / 2);
    m_rowsSinceFetch += inserted;
    if (!done && m_rowsSinceFetch < kMinRowsPerFetch && !m_loadAllId) {
        sendScan(node, false); // keep going until the view has something to show
        emitProgress(false);
        return;
    }
    emitProgress(true);
    if (node == m_root.get())
        Q_EMIT loadingChanged(false);
}

void KeyTreeModel::onScanFailed(quint64 id, const QString &error)
{
    const auto req = m_requests.constFind(id);
    if (req == m_requests.cend())
        return;
    Node *node = req->node;
    const bool continuous = req->continuous;
    m_requests.remove(id);
    node->inflight = 0;
    if (continuous)
        m_loadAllId = 0;
    Q_EMIT errorOccurred(error);
    emitProgress(true);
    if (node == m_root.get())
        Q_EMIT loadingChanged(false);
}

void KeyTreeModel::announceCounts()
{
    m_countTimer->stop();
    const QSet<Node *> changed = std::exchange(m_countsChanged, {});
    for (Node *n : changed) {
        const QModelIndex i = indexOf(n);
        Q_EMIT dataChanged(i, i, {Qt::DisplayRole, KeyCountRole});
    }
}

void KeyTreeModel::emitProgress(bool force)
{
    if (force)
        announceCounts();
    if (!force && m_progressClock.elapsed() < 100)
        return;
    m_progressClock.restart();
    Q_EMIT loadProgress(m_liveKeys, m_root->scanned);
}

// ---- exact keys, removal --------------------------------------------------------------------

QModelIndex KeyTreeModel::insertKey(const QByteArray &storedKey)
{
    if (storedKey.isEmpty())
        return {};
    const QModelIndex existing = indexForKey(storedKey);
    if (existing.isValid())
        return existing;
    quint32 kid = findKey(storedKey);
    if (kid == kNoKey)
        kid = addKey(storedKey);
    else
        m_removed[kid] = false;
    if (kid == kNoKey)
        return {};
    std::vector<std::pair<Node *, std::vector<quint32>>> pending;
    QHash<Node *, qsizetype> pendingIndex;
    Node *node = placeKey(kid, storedKey, pending, pendingIndex);
    insertLeafRows(node, pending.front().second);
    ++m_liveKeys;
    return index(node->rowCount() - 1, 0, indexOf(node));
}

void KeyTreeModel::showExactKeys(const QList<QByteArray> &storedKeys)
{
    const bool wasLoading = isLoadingAll();
    beginResetModel();
    m_filter = storedKeys.isEmpty() ? QByteArray() : KeySource::globEscape(storedKeys.first());
    resetKeyspace();
    m_exact = true;
    m_root->scanned = true; // nothing to scan: the keys are known
    endResetModel();
    if (wasLoading)
        Q_EMIT loadingChanged(false);
    for (const QByteArray &k : storedKeys)
        insertKey(k);
    emitProgress(true);
}

QModelIndex KeyTreeModel::indexForKey(const QByteArray &storedKey) const
{
    const quint32 kid = findKey(storedKey);
    if (kid == kNoKey || m_removed[kid])
        return {};
    // Follow the namespaces the key would be placed in, then find it among that node's leaves.
    std::vector<Node *> stack{m_root.get()};
    while (!stack.empty()) {
        Node *n = stack.back();
        stack.pop_back();
        if (!storedKey.startsWith(n->path) && n != m_root.get())
            continue;
        const qsizetype at = n->leaves.indexOf(kid);
        if (at >= 0)
            return index(int(n->children.size() + size_t(at)), 0, indexOf(n));
        for (auto &c : n->children) {
            if (storedKey.startsWith(c->path))
                stack.push_back(c.get());
        }
    }
    return {};
}

void KeyTreeModel::removeKeys(const QList<QByteArray> &storedKeys)
{
    for (const QByteArray &key : storedKeys) {
        const QModelIndex i = indexForKey(key);
        if (!i.isValid())
            continue;
        Node *parent = leafParent(i);
        const int leafRow = i.row() - int(parent->children.size());
        beginRemoveRows(i.parent(), i.row(), i.row());
        const quint32 kid = parent->leaves[size_t(leafRow)];
        parent->leaves.removeAt(size_t(leafRow));
        m_removed[kid] = true;
        m_meta.remove(kid);
        endRemoveRows();
        --m_liveKeys;
        for (Node *n = parent; n; n = n->parent)
            --n->keyCount;
        for (Node *n = parent; n && n != m_root.get(); n = n->parent) {
            const QModelIndex ni = indexOf(n);
            Q_EMIT dataChanged(ni, ni, {Qt::DisplayRole, KeyCountRole});
        }
    }
}

void KeyTreeModel::markRemoved(Node *node)
{
    for (size_t i = 0; i < node->leaves.size(); ++i) {
        const quint32 kid = node->leaves[i];
        m_removed[kid] = true;
        m_meta.remove(kid);
    }
    for (auto &c : node->children)
        markRemoved(c.get());
}

void KeyTreeModel::removeNamespace(const QModelIndex &index)
{
    Node *node = nodeOf(index);
    if (!node || node == m_root.get())
        return;
    announceCounts(); // pending announcements may name the nodes that go
    Node *parent = node->parent;
    const int row = node->row;
    for (auto it = m_requests.begin(); it != m_requests.end();) {
        if (it->node->path.startsWith(node->path) && it->node != m_root.get())
            it = m_requests.erase(it);
        else
            ++it;
    }
    beginRemoveRows(index.parent(), row, row);
    markRemoved(node);
    const quint64 removed = node->keyCount;
    parent->childByName.remove(node->name);
    parent->children.erase(parent->children.begin() + row);
    for (size_t r = size_t(row); r < parent->children.size(); ++r)
        parent->children[r]->row = int(r);
    endRemoveRows();
    m_liveKeys -= removed;
    for (Node *n = parent; n; n = n->parent)
        n->keyCount -= removed;
}

// ---- metadata -----------------------------------------------------------------------------

void KeyTreeModel::requestMetadata(const QModelIndexList &indexes, bool force)
{
    if (!m_source)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<QByteArray> keys;
    QList<QPersistentModelIndex> rows;
    QSet<quint32> seen;
    for (const QModelIndex &i : indexes) {
        const quint32 kid = leafId(i);
        if (kid == kNoKey || seen.contains(kid))
            continue;
        seen.insert(kid);
        const QModelIndex first = i.siblingAtColumn(0);
        rows.append(first);
        const auto m = m_meta.constFind(kid);
        if (!force && m != m_meta.cend() && now - m->fetchedMs < kMetaStaleMs)
            continue;
        keys.append(keyView(kid).toByteArray());
        if (keys.size() >= 2000)
            break;
    }
    m_liveRows = rows; // the visible rows: their TTLs count down live
    if (keys.isEmpty() || isStale()) // a server that does not answer would only time out
        return;
    const quint64 id = m_source->requestMetadata(keys);
    m_metaRequests.insert(id, rows);
}

void KeyTreeModel::onMetadataReady(quint64 id, const QList<KeyMetadata> &metadata)
{
    const auto rows = m_metaRequests.take(id);
    if (rows.isEmpty() && !m_metaRequests.isEmpty())
        return;
    if (m_meta.size() > kMaxMetaEntries)
        m_meta.clear(); // bounded: only what was looked at recently matters
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const KeyMetadata &m : metadata) {
        const quint32 kid = findKey(m.key);
        if (kid == kNoKey)
            continue;
        m_meta.insert(kid, Meta{m.type, m.ttlMs, m.size, now, m.expired});
    }
    for (const QPersistentModelIndex &p : rows) {
        if (p.isValid())
            Q_EMIT dataChanged(p.sibling(p.row(), TypeColumn), p.sibling(p.row(), KindColumn));
    }
    Q_EMIT metadataUpdated();
}

void KeyTreeModel::tickTtl()
{
    if (isStale())
        return; // frozen at the moment the server went away
    // Live countdown: only the visible rows with a finite TTL change.
    for (const QPersistentModelIndex &p : std::as_const(m_liveRows)) {
        if (!p.isValid())
            continue;
        const quint32 kid = leafId(p);
        const auto m = m_meta.constFind(kid);
        if (m != m_meta.cend() && m->ttlMs > 0) {
            const QModelIndex ttl = p.sibling(p.row(), TtlColumn);
            Q_EMIT dataChanged(ttl, ttl, {Qt::DisplayRole, SortRole, TtlMsRole});
        }
    }
}

// ---- tree structure -----------------------------------------------------------------------

KeyTreeModel::Node *KeyTreeModel::nodeOf(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_root.get();
    auto *parent = static_cast<Node *>(index.internalPointer());
    if (size_t(index.row()) < parent->children.size())
        return parent->children[size_t(index.row())].get();
    return nullptr;
}

KeyTreeModel::Node *KeyTreeModel::leafParent(const QModelIndex &index) const
{
    if (!index.isValid())
        return nullptr;
    auto *parent = static_cast<Node *>(index.internalPointer());
    return size_t(index.row()) >= parent->children.size() ? parent : nullptr;
}

quint32 KeyTreeModel::leafId(const QModelIndex &index) const
{
    Node *parent = leafParent(index);
    if (!parent)
        return kNoKey;
    const size_t leafRow = size_t(index.row()) - parent->children.size();
    return leafRow < parent->leaves.size() ? parent->leaves[leafRow] : kNoKey;
}

QModelIndex KeyTreeModel::indexOf(Node *node, int column) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row, column, node->parent);
}

QModelIndex KeyTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= NUM_COLUMNS)
        return {};
    Node *node = nodeOf(parent);
    if (!node || row >= node->rowCount())
        return {};
    return createIndex(row, column, node);
}

QModelIndex KeyTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexOf(static_cast<Node *>(child.internalPointer()));
}

int KeyTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    Node *node = nodeOf(parent);
    return node ? node->rowCount() : 0;
}

int KeyTreeModel::columnCount(const QModelIndex &) const
{
    return NUM_COLUMNS;
}

bool KeyTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return false;
    Node *node = nodeOf(parent);
    return node && (node->rowCount() > 0 || canFetchMore(parent)); // namespaces always hold keys
}

bool KeyTreeModel::isNamespace(const QModelIndex &index) const
{
    return index.isValid() && nodeOf(index) != nullptr;
}

QByteArray KeyTreeModel::keyAt(const QModelIndex &index) const
{
    if (Node *n = index.isValid() ? nodeOf(index) : nullptr)
        return n->path;
    const quint32 kid = leafId(index);
    return kid == kNoKey ? QByteArray() : keyView(kid).toByteArray();
}

Qt::ItemFlags KeyTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (!isNamespace(index))
        f |= Qt::ItemNeverHasChildren;
    return f;
}

QVariant KeyTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn: return tr("Key");
    case TypeColumn: return tr("Type");
    case TtlColumn: return tr("TTL");
    case SizeColumn: return tr("Size");
    case KindColumn: return tr("Kind");
    case ChartColumn: return tr("Chart");
    case DatasetColumn: return tr("Dataset");
    case DashboardColumn: return tr("Dashboards");
    case VariantsColumn: return tr("Variants");
    }
    return {};
}

QVariant KeyTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (role == Qt::ForegroundRole)
        return isStale() ? staleForeground() : QVariant();
    if (Node *n = nodeOf(index)) {
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == KeyColumn)
                return QString(utf8::toString(n->name) % QStringLiteral(" (") % formatCount(n->keyCount) % u')');
            if (index.column() == TypeColumn)
                return tr("namespace");
            return {};
        case Qt::ToolTipRole:
            return tr("%1* — %2 keys loaded").arg(utf8::toString(n->path), formatCount(n->keyCount));
        case SortRole:
            if (index.column() == KeyColumn)
                return n->name;
            if (index.column() == SizeColumn)
                return qint64(-1);
            return {};
        case KeyBytesRole: return n->path;
        case IsNamespaceRole: return true;
        case KeyCountRole: return n->keyCount;
        }
        return {};
    }
    Node *parent = leafParent(index);
    const quint32 kid = leafId(index);
    if (kid == kNoKey)
        return {};
    if (index.column() >= kFirstLabelColumn || role == DatasetIdRole || role == ChartIdsRole || role == VariantsRole)
        return labelData(kid, index.column(), role);
    const QByteArrayView key = keyView(kid);
    const auto meta = m_meta.constFind(kid);
    const bool hasMeta = meta != m_meta.cend();
    // While stale, time stands still at the moment the server went away.
    const qint64 now = isStale() ? m_staleSinceMs : QDateTime::currentMSecsSinceEpoch();
    auto remainingMs = [&]() -> qint64 {
        if (!hasMeta)
            return -2;
        if (meta->ttlMs < 0)
            return meta->ttlMs;
        return qMax<qint64>(0, meta->ttlMs - (now - meta->fetchedMs));
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KeyColumn: {
            const QByteArray known = m_source ? m_source->knownKeyFor(key.toByteArray()) : QByteArray();
            if (!known.isEmpty())
                return utf8::toString(known);
            const qsizetype skip = key.startsWith(parent->path) ? parent->path.size() : 0;
            return utf8::toString(key.sliced(skip));
        }
        case TypeColumn:
            return hasMeta ? QString::fromUtf8(meta->type) : QString();
        case TtlColumn: {
            if (!hasMeta)
                return {};
            if (meta->expired)
                return tr("expired");
            const qint64 ms = remainingMs();
            if (ms == -1)
                return tr("never");
            if (ms == -2)
                return tr("missing");
            if (ms < 1000)
                return ms == 0 ? tr("expired") : tr("<1s");
            return formatDuration(ms / 1000);
        }
        case SizeColumn:
            return hasMeta && meta->size >= 0 ? formatBytes(meta->size) : QString();
        case KindColumn: {
            // The application's key when the source knows it (hashed file names), else the stored one.
            const QByteArray known = m_source ? m_source->knownKeyFor(key.toByteArray()) : QByteArray();
            if (!known.isEmpty())
                return keykind::guess(known, m_purpose);
            if (m_source && m_source->storesHashedNames())
                return keykind::guessForHashedName(m_purpose);
            const QByteArrayView afterPrefix = key.startsWith(m_root->path) ? key.sliced(m_root->path.size()) : key;
            QString kind = keykind::guess(afterPrefix, m_purpose);
            if (kind.isEmpty()) {
                const qsizetype skip = key.startsWith(parent->path) ? parent->path.size() : 0;
                kind = keykind::guess(key.sliced(skip), m_purpose);
            }
            return kind;
        }
        }
        return {};
    case Qt::ToolTipRole:
        return utf8::toString(key);
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn || index.column() == TtlColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SortRole:
        switch (index.column()) {
        case KeyColumn: return key.toByteArray();
        case TypeColumn: return hasMeta ? meta->type : QByteArray();
        case TtlColumn: {
            const qint64 ms = remainingMs();
            return ms == -1 ? std::numeric_limits<qint64>::max() : ms; // never = longest
        }
        case SizeColumn: return hasMeta ? meta->size : qint64(-1);
        case KindColumn: return data(index, Qt::DisplayRole);
        }
        return {};
    case KeyBytesRole: return key.toByteArray();
    case IsNamespaceRole: return false;
    case TtlMsRole: return remainingMs();
    case SizeBytesRole: return hasMeta ? meta->size : qint64(-1);
    case KeyCountRole: return quint64(1);
    }
    return {};
}

QVariant KeyTreeModel::labelData(quint32 kid, int column, int role) const
{
    const KeyLabelIndex::Hit hit = labelOf(kid);
    if (role == VariantsRole)
        return hit ? hit.label->variants : -1;
    if (!hit)
        return {};
    const KeyLabel &l = *hit.label;
    const bool guessed = hit.source == KeyLabelIndex::Source::Decoded;
    switch (role) {
    case DatasetIdRole: return l.datasetId;
    case ChartIdsRole: return QVariant::fromValue(l.chartIds);
    case Qt::DisplayRole:
    case SortRole:
        switch (column) {
        case ChartColumn: return guessed ? QStringLiteral("≈ ") + l.chart : l.chart;
        case DatasetColumn: return l.dataset;
        case DashboardColumn: return l.dashboards;
        case VariantsColumn: return l.variants;
        }
        return {};
    case Qt::ToolTipRole: {
        const QString how = guessed ? tr("Tied by the audit: its payload's SQL names this dataset's table (a guess).")
                                    : tr("Recorded in the metadata database's cache_keys (datasource %1__table).").arg(l.datasetId);
        if (column == VariantsColumn)
            return tr("%1 %2").arg(l.variants).arg(l.variantsNote);
        return tr("Chart: %1\nDataset: %2\nDashboards: %3\n%4")
            .arg(l.chart, l.dataset, l.dashboards.isEmpty() ? tr("none") : l.dashboards, how);
    }
    case Qt::TextAlignmentRole:
        return column == VariantsColumn ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    }
    return {};
}

// ---- sorting ------------------------------------------------------------------------------

void KeyTreeModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= NUM_COLUMNS)
        return;
    // Sorts what is loaded (the keyspace is a stream): remember it so the view can say so.
    m_sortColumn = column;
    m_sortOrder = order;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    // Remember what each persistent index points at, by node or key id.
    const QModelIndexList persistent = persistentIndexList();
    struct Target { Node *node; quint32 kid; Node *parent; int column; };
    std::vector<Target> targets;
    targets.reserve(size_t(persistent.size()));
    for (const QModelIndex &p : persistent)
        targets.push_back({nodeOf(p), leafId(p), static_cast<Node *>(p.internalPointer()), p.column()});

    const bool desc = order == Qt::DescendingOrder;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto metaValue = [&](quint32 kid) -> qint64 {
        const auto m = m_meta.constFind(kid);
        if (m == m_meta.cend())
            return std::numeric_limits<qint64>::min(); // unknown sorts first ascending
        if (column == TtlColumn)
            return m->ttlMs < 0 ? (m->ttlMs == -1 ? std::numeric_limits<qint64>::max() : -2)
                                : m->ttlMs - (now - m->fetchedMs);
        return m->size;
    };
    // The label columns sort by each distinct label's text (one per dataset, so few).
    QHash<const KeyLabel *, qint64> labelRank;
    if (m_labels && column >= kFirstLabelColumn && column != VariantsColumn) {
        std::vector<const KeyLabel *> labels;
        for (const KeyLabel &l : m_labels->labels())
            labels.push_back(&l);
        auto text = [column](const KeyLabel *l) -> const QString & {
            return column == ChartColumn ? l->chart : column == DatasetColumn ? l->dataset : l->dashboards;
        };
        std::sort(labels.begin(), labels.end(), [&](const KeyLabel *a, const KeyLabel *b) {
            return text(a).compare(text(b), Qt::CaseInsensitive) < 0;
        });
        for (size_t i = 0; i < labels.size(); ++i)
            labelRank.insert(labels[i], qint64(i));
    }
    std::vector<Node *> stack{m_root.get()};
    while (!stack.empty()) {
        Node *n = stack.back();
        stack.pop_back();
        std::stable_sort(n->children.begin(), n->children.end(), [&](const auto &a, const auto &b) {
            return desc ? b->name < a->name : a->name < b->name;
        });
        for (size_t r = 0; r < n->children.size(); ++r) {
            n->children[r]->row = int(r);
            stack.push_back(n->children[r].get());
        }
        std::vector<quint32> leaves = n->leaves.toStdVector();
        if (column >= kFirstLabelColumn) {
            // One label lookup per key, then an integer sort: the labels' own order for the
            // text columns (unlabelled keys last either way), the count for Variants.
            std::vector<std::pair<qint64, quint32>> keyed;
            keyed.reserve(leaves.size());
            for (quint32 kid : leaves) {
                const KeyLabelIndex::Hit hit = labelOf(kid);
                qint64 v = std::numeric_limits<qint64>::max();
                if (hit)
                    v = column == VariantsColumn ? hit.label->variants : labelRank.value(hit.label, 0);
                if (desc && hit)
                    v = -v;
                keyed.push_back({v, kid});
            }
            std::stable_sort(keyed.begin(), keyed.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
            for (size_t i = 0; i < keyed.size(); ++i)
                leaves[i] = keyed[i].second;
        } else if (column == TtlColumn || column == SizeColumn) {
            std::stable_sort(leaves.begin(), leaves.end(), [&](quint32 a, quint32 b) {
                return desc ? metaValue(b) < metaValue(a) : metaValue(a) < metaValue(b);
            });
        } else if (column == TypeColumn) {
            std::stable_sort(leaves.begin(), leaves.end(), [&](quint32 a, quint32 b) {
                const QByteArray ta = m_meta.value(a).type, tb = m_meta.value(b).type;
                return desc ? tb < ta : ta < tb;
            });
        } else {
            std::sort(leaves.begin(), leaves.end(), [&](quint32 a, quint32 b) {
                return desc ? keyView(b) < keyView(a) : keyView(a) < keyView(b);
            });
        }
        n->leaves.assign(leaves);
    }
    QModelIndexList to;
    to.reserve(persistent.size());
    for (const Target &t : targets) {
        if (t.node) {
            to.append(createIndex(t.node->row, t.column, t.node->parent));
        } else if (t.kid != kNoKey) {
            const qsizetype at = t.parent->leaves.indexOf(t.kid);
            to.append(createIndex(int(t.parent->children.size() + size_t(qMax<qsizetype>(0, at))), t.column, t.parent));
        } else {
            to.append(QModelIndex());
        }
    }
    changePersistentIndexList(persistent, to);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

} // namespace cachescope
