#pragma once

#include "cache/cachespec.h"
#include "metadata/metadatatypes.h"
#include "metadata/metadatauri.h"
#include "timeouts/keylabels.h"
#include "timeouts/timeoutaudit.h"
#include "common/expected.h"
#include "redis/redisurl.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

class QListWidget;
class QPushButton;

namespace cachescope {

class Cache;
class CacheManager;
class KeySource;
class KeysPage;

// The main window's Keys page: the connections on the left — one per cache purpose of the
// running CacheManager (in-process caches through CacheKeySource, cache directories through
// FileSystemKeySource, Redis through RedisKeySource, memcached through MemcachedKeySource;
// purposes on the same server(s), database and prefix share one source) plus ad-hoc ones from "Connect to Redis URL…" and "Open cache
// directory…" — and the KeysPage (tree + payload view) of the selected one on the right.
// Every connection opens read-only; the Keys page's padlock enables writes per connection.
class KeysBrowser : public QWidget
{
    Q_OBJECT
public:
    explicit KeysBrowser(QWidget *parent = nullptr);
    ~KeysBrowser() override;

    // The caches to list (not owned: must outlive this page or be replaced first).
    void setCacheManager(CacheManager *manager);

    // Ad-hoc connections; both select the new connection and return its row.
    // `tls` holds TLS files given beside the URL (the dialog's fields); the URL's own options win.
    Expected<int> connectRedis(const QString &url, const QByteArray &keyPrefix, const RedisTls &tls = {});
    Expected<int> openDirectory(const QString &directory);
    // The dialogs behind the buttons and the File menu.
    void connectRedisInteractively();
    void openDirectoryInteractively();

    int connectionCount() const;
    QString connectionLabel(int row) const;
    void selectConnection(int row);
    int currentConnection() const;
    // The row of a cache purpose's connection, -1 if it has none.
    int rowOf(CachePurpose purpose) const;

    // Labels of the chart-data cache's keys: its chart, dataset, dashboards and variants. Read
    // from the metadata database's cache_keys on a pool thread (a connection of its own, read-only)
    // and joined with the snapshot's names; shown on the DATA_CACHE_CONFIG connection (and any
    // connection sharing its key space). A newer call supersedes an unfinished one.
    void loadKeyLabels(const MetadataSnapshot &snapshot, const MetadataUri &uri);
    // Chart-data entries the audit decoded and tied to a dataset, which cache_keys did not record.
    void addDecodedLabels(const AuditReport &report);
    void clearKeyLabels();
    std::shared_ptr<const KeyLabelIndex> keyLabels() const { return m_labels; }

    KeysPage *keysPage() const { return m_keys; }
    QListWidget *connectionList() const { return m_list; }
    // What the status bar says about the selected connection.
    QString connectionState() const;

public Q_SLOTS:
    // The window's Refresh (F5): the selected connection's keys are scanned again.
    void refresh();

Q_SIGNALS:
    void connectionStateChanged(const QString &state);
    // Labels were installed (after loadKeyLabels or addDecodedLabels).
    void keyLabelsChanged();
    void errorOccurred(const QString &message);
    // An ad-hoc Redis connection was opened (the Hit rates page polls its server too; the window
    // remembers it without its password).
    void redisConnected(const cachescope::RedisUrl &url, const QByteArray &keyPrefix);

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct Connection
    {
        QString title;
        QString detail;
        QString purposeName;                 // "DATA_CACHE_CONFIG", empty for ad-hoc connections
        std::optional<CachePurpose> purpose;
        std::shared_ptr<KeySource> source;   // shared by purposes on one server, db and prefix
        std::shared_ptr<Cache> cache;        // keeps an in-process cache alive for its source
        QString sharingKey;                  // Redis: redacted URL + prefix
    };
    int addConnection(Connection connection);
    void clearManagedConnections();
    void onCurrentRowChanged(int row);
    void followReplacedCaches();
    QString currentPurposeName() const;
    void applyKeyLabels();
    void installKeyLabels(std::shared_ptr<const KeyLabelIndex> labels, quint64 generation);

    CacheManager *m_manager = nullptr;
    QListWidget *m_list;
    QPushButton *m_connectRedis;
    QPushButton *m_openDirectory;
    KeysPage *m_keys;
    std::vector<Connection> m_connections;
    QTimer m_replacementCheck;
    QMetaObject::Connection m_writesConnection;
    QMetaObject::Connection m_reachConnection;
    bool m_rescanEmpty = false;
    std::shared_ptr<const KeyLabelIndex> m_labels;
    quint64 m_labelGeneration = 0;
    std::shared_ptr<std::atomic_bool> m_labelStop;
};

} // namespace cachescope
