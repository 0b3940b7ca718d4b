#include "keysbrowser.h"

#include "formatting.h"
#include "keyspage.h"
#include "keytreemodel.h"

#include "browse/cachekeysource.h"
#include "browse/filesystemkeysource.h"
#include "browse/metastorekeysource.h"
#include "browse/rediskeysource.h"
#include "cache/cache.h"
#include "cache/cachemanager.h"
#include "browse/memcachedkeysource.h"
#include "cache/memcachedcache.h"
#include "hitratefeed.h"
#include "metadata/metadataconnection.h"
#include <QDateTime>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>
#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QShowEvent>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

namespace cachescope {

KeysBrowser::KeysBrowser(QWidget *parent)
    : QWidget(parent)
    , m_list(new QListWidget(this))
    , m_connectRedis(new QPushButton(tr("Connect to Redis URL…"), this))
    , m_openDirectory(new QPushButton(tr("Open cache directory…"), this))
    , m_keys(new KeysPage(this))
{
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(tr("Connections"), left);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    leftLayout->addWidget(title);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setTextElideMode(Qt::ElideMiddle);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setSpacing(3);
    m_list->setToolTip(tr("Click the selected connection again to scan it afresh."));
    leftLayout->addWidget(m_list, 1);
    leftLayout->addWidget(m_connectRedis);
    leftLayout->addWidget(m_openDirectory);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(left);
    splitter->addWidget(m_keys);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({250, 1000});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(splitter);
    setAccessibleName(tr("Keys"));
    setAccessibleDescription(tr("What is in a cache: its connections, their keys by namespace, and the selected entry decoded"));
    m_list->setAccessibleName(tr("Connections"));

    connect(m_list, &QListWidget::currentRowChanged, this, &KeysBrowser::onCurrentRowChanged);
    // Clicking the selected connection again rescans it (new keys since the last scan).
    connect(m_list, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) {
        if (m_list->row(item) == m_list->currentRow())
            onCurrentRowChanged(m_list->currentRow());
    });
    connect(m_connectRedis, &QPushButton::clicked, this, &KeysBrowser::connectRedisInteractively);
    connect(m_openDirectory, &QPushButton::clicked, this, &KeysBrowser::openDirectoryInteractively);
    // Scan errors are shown (and withdrawn when their cause is gone) by the Keys page itself.
    // An in-process cache can be rebuilt while shown (the demo's threshold knob): follow it.
    m_replacementCheck.setInterval(1000);
    connect(&m_replacementCheck, &QTimer::timeout, this, &KeysBrowser::followReplacedCaches);
    m_replacementCheck.start();
}

KeysBrowser::~KeysBrowser()
{
    // The page lets go of its source before the sources go.
    m_keys->setSource(nullptr);
}

void KeysBrowser::clearManagedConnections()
{
    m_keys->setSource(nullptr);
    for (int row = int(m_connections.size()) - 1; row >= 0; --row) {
        if (m_connections[size_t(row)].purpose) {
            m_connections.erase(m_connections.begin() + row);
            delete m_list->takeItem(row);
        }
    }
}

void KeysBrowser::setCacheManager(CacheManager *manager)
{
    QSignalBlocker block(m_list);
    clearManagedConnections();
    m_manager = manager;
    int insertAt = 0;
    if (m_manager) {
        std::vector<Connection> managed;
        for (CachePurpose purpose : m_manager->purposes()) {
            const auto spec = m_manager->spec(purpose);
            if (!spec)
                continue;
            Connection c;
            c.purpose = purpose;
            c.purposeName = purposeConfigName(purpose);
            c.title = c.purposeName;
            switch (spec->backend) {
            case BackendType::Simple:
                if (auto cache = m_manager->cache(purpose)) {
                    c.source = std::make_shared<CacheKeySource>(cache.get());
                    c.cache = std::move(cache);
                }
                c.detail = tr("SimpleCache · in-process");
                break;
            case BackendType::FileSystem:
                c.source = std::make_shared<FileSystemKeySource>(spec->directory);
                c.detail = tr("FileSystemCache · %1").arg(QFileInfo(spec->directory).fileName());
                break;
            case BackendType::Redis:
            case BackendType::RedisSentinel:
            case BackendType::RedisCluster: {
                // The browser lists and edits what the master holds (a Sentinel cache's writes go there).
                auto url = spec->connectionUrl();
                if (!url) {
                    Q_EMIT errorOccurred(tr("%1: %2").arg(c.purposeName, url.error()));
                    continue;
                }
                c.sharingKey = url->redacted() + u'\n' + QString::fromUtf8(spec->keyPrefix);
                // Caches on one server, database and prefix are one key space: one source, one connection.
                for (const Connection &other : managed) {
                    if (other.sharingKey == c.sharingKey)
                        c.source = other.source;
                }
                if (!c.source)
                    c.source = std::make_shared<RedisKeySource>(*url, spec->keyPrefix);
                c.detail = tr("%1 · %2 · prefix %3")
                               .arg(backendTypeName(spec->backend), url->redacted(),
                                    spec->keyPrefix.isEmpty() ? tr("(none)") : QString::fromUtf8(spec->keyPrefix));
                break;
            }
            case BackendType::SupersetMetastore: {
                // key_value rows of the metadata database; every metastore cache shares them.
                auto source = MetastoreKeySource::fromSpec(*spec);
                if (!source) {
                    Q_EMIT errorOccurred(tr("%1: %2").arg(c.purposeName, source.error()));
                    continue;
                }
                c.source = std::shared_ptr<KeySource>(std::move(*source));
                c.detail = tr("SupersetMetastoreCache · key_value rows by uuid");
                break;
            }
            case BackendType::Memcached: {
                auto options = MemcachedCache::optionsFromSpec(*spec);
                if (!options) {
                    Q_EMIT errorOccurred(options.error());
                    continue;
                }
                c.sharingKey = spec->displayLocation() + u'\n' + QString::fromUtf8(spec->keyPrefix);
                for (const Connection &other : managed) {
                    if (other.sharingKey == c.sharingKey)
                        c.source = other.source;
                }
                if (!c.source)
                    c.source = std::make_shared<MemcachedKeySource>(options->client, spec->keyPrefix);
                c.detail = tr("%1 · %2 · prefix %3")
                               .arg(MemcachedCache::variantName(options->variant), spec->displayLocation(),
                                    spec->keyPrefix.isEmpty() ? tr("(none)") : QString::fromUtf8(spec->keyPrefix));
                break;
            }
            default:
                c.detail = tr("%1 · keys cannot be listed").arg(backendTypeName(spec->backend));
                break;
            }
            managed.push_back(std::move(c));
        }
        for (Connection &c : managed) {
            auto *item = new QListWidgetItem(c.title + u'\n' + c.detail);
            item->setToolTip(c.source ? c.source->description() : c.detail);
            if (!c.source)
                item->setFlags(item->flags() & ~(Qt::ItemIsSelectable | Qt::ItemIsEnabled));
            m_list->insertItem(insertAt, item);
            m_connections.insert(m_connections.begin() + insertAt, std::move(c));
            ++insertAt;
        }
    }
    block.unblock();
    // The chart data cache when there is one (what administrators look for first), else the
    // first cache that can be browsed.
    if (const int data = rowOf(CachePurpose::Data); data >= 0 && m_connections[size_t(data)].source) {
        selectConnection(data);
        return;
    }
    for (int row = 0; row < int(m_connections.size()); ++row) {
        if (m_connections[size_t(row)].source) {
            selectConnection(row);
            return;
        }
    }
    onCurrentRowChanged(-1);
}

int KeysBrowser::addConnection(Connection connection)
{
    auto *item = new QListWidgetItem(connection.title + u'\n' + connection.detail);
    item->setToolTip(connection.source->description());
    m_list->addItem(item);
    m_connections.push_back(std::move(connection));
    const int row = int(m_connections.size()) - 1;
    selectConnection(row);
    return row;
}

Expected<int> KeysBrowser::connectRedis(const QString &url, const QByteArray &keyPrefix, const RedisTls &tls)
{
    RedisUrl given;
    given.tls = tls;
    auto parsed = RedisUrl::parse(url.trimmed(), given);
    if (!parsed)
        return makeError(parsed.error());
    const QString sharingKey = parsed->redacted() + u'\n' + QString::fromUtf8(keyPrefix);
    for (int row = 0; row < int(m_connections.size()); ++row) {
        if (!m_connections[size_t(row)].purpose && m_connections[size_t(row)].sharingKey == sharingKey) {
            selectConnection(row); // already open
            return row;
        }
    }
    Connection c;
    c.source = std::make_shared<RedisKeySource>(*parsed, keyPrefix);
    c.sharingKey = sharingKey;
    c.title = parsed->redacted();
    c.detail = keyPrefix.isEmpty() ? tr("ad hoc · no prefix") : tr("ad hoc · prefix %1").arg(QString::fromUtf8(keyPrefix));
    const int row = addConnection(std::move(c));
    Q_EMIT redisConnected(*parsed, keyPrefix);
    return row;
}

Expected<int> KeysBrowser::openDirectory(const QString &directory)
{
    const QFileInfo info(directory);
    if (!info.isDir())
        return makeError(tr("%1 is not a directory").arg(directory));
    const QString path = info.canonicalFilePath();
    for (int row = 0; row < int(m_connections.size()); ++row) {
        if (!m_connections[size_t(row)].purpose && m_connections[size_t(row)].sharingKey == path) {
            selectConnection(row);
            return row;
        }
    }
    Connection c;
    c.source = std::make_shared<FileSystemKeySource>(path);
    c.sharingKey = path;
    c.title = info.fileName().isEmpty() ? path : info.fileName();
    c.detail = tr("cache directory · %1").arg(path);
    return addConnection(std::move(c));
}

void KeysBrowser::connectRedisInteractively()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Connect to Redis"));
    auto *url = new QLineEdit(QStringLiteral("redis://localhost:6379/0"), &dialog);
    url->setMinimumWidth(360);
    auto *prefix = new QLineEdit(&dialog);
    prefix->setPlaceholderText(tr("e.g. superset_data_ (empty: every key)"));
    auto *hint = new QLabel(tr("The connection opens read-only. Writes stay confined to the prefix."), &dialog);
    hint->setWordWrap(true);
    // TLS files beside the URL (rediss://...?ssl_ca_certs=... works as well); any of them turns
    // TLS on. Verification is switched off only by unticking it, and the window says so.
    auto fileField = [&dialog](const QString &placeholder) {
        auto *row = new QWidget(&dialog);
        auto *layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        auto *edit = new QLineEdit(row);
        edit->setPlaceholderText(placeholder);
        auto *browse = new QPushButton(tr("…"), row);
        browse->setFixedWidth(32);
        connect(browse, &QPushButton::clicked, edit, [edit, &dialog] {
            const QString file = QFileDialog::getOpenFileName(&dialog, tr("Choose a PEM file"), edit->text());
            if (!file.isEmpty())
                edit->setText(file);
        });
        layout->addWidget(edit, 1);
        layout->addWidget(browse);
        return std::pair{row, edit};
    };
    auto [caRow, caFile] = fileField(tr("CA certificates, PEM (ssl_ca_certs; empty: the system store)"));
    auto [certRow, certFile] = fileField(tr("client certificate, PEM (ssl_certfile; mutual TLS only)"));
    auto [keyRow, keyFile] = fileField(tr("client key, PEM (ssl_keyfile)"));
    auto *verify = new QCheckBox(tr("Verify the server certificate (ssl_cert_reqs=required)"), &dialog);
    verify->setChecked(true);
    auto *checkHost = new QCheckBox(tr("Check the host name against it (ssl_check_hostname)"), &dialog);
    connect(verify, &QCheckBox::toggled, checkHost, [checkHost](bool on) {
        checkHost->setEnabled(on);
        if (!on)
            checkHost->setChecked(false);
    });
    auto *tlsBox = new QGroupBox(tr("TLS (rediss://)"), &dialog);
    auto *tlsForm = new QFormLayout(tlsBox);
    tlsForm->addRow(tr("CA:"), caRow);
    tlsForm->addRow(tr("Certificate:"), certRow);
    tlsForm->addRow(tr("Key:"), keyRow);
    tlsForm->addRow(verify);
    tlsForm->addRow(checkHost);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *form = new QFormLayout(&dialog);
    form->addRow(tr("URL:"), url);
    form->addRow(tr("Key prefix:"), prefix);
    form->addRow(tlsBox);
    form->addRow(hint);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    RedisTls tls;
    tls.caCerts = caFile->text().trimmed();
    tls.certFile = certFile->text().trimmed();
    tls.keyFile = keyFile->text().trimmed();
    tls.enabled = !tls.caCerts.isEmpty() || !tls.certFile.isEmpty() || !tls.keyFile.isEmpty();
    tls.certReqs = verify->isChecked() ? RedisTls::CertReqs::Required : RedisTls::CertReqs::None;
    tls.checkHostname = checkHost->isChecked();
    if (auto row = connectRedis(url->text(), prefix->text().toUtf8(), tls); !row)
        Q_EMIT errorOccurred(tr("Cannot connect: %1").arg(row.error()));
}

void KeysBrowser::openDirectoryInteractively()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open cache directory"));
    if (dir.isEmpty())
        return;
    if (auto row = openDirectory(dir); !row)
        Q_EMIT errorOccurred(tr("Cannot open the cache directory: %1").arg(row.error()));
}

int KeysBrowser::connectionCount() const
{
    return int(m_connections.size());
}

QString KeysBrowser::connectionLabel(int row) const
{
    return row >= 0 && row < connectionCount() ? m_list->item(row)->text() : QString();
}

void KeysBrowser::selectConnection(int row)
{
    if (m_list->currentRow() == row)
        onCurrentRowChanged(row);
    else
        m_list->setCurrentRow(row);
}

int KeysBrowser::currentConnection() const
{
    return m_list->currentRow();
}

int KeysBrowser::rowOf(CachePurpose purpose) const
{
    for (int row = 0; row < connectionCount(); ++row) {
        if (m_connections[size_t(row)].purpose == purpose)
            return row;
    }
    return -1;
}

void KeysBrowser::onCurrentRowChanged(int row)
{
    followReplacedCaches(); // never show a cache the manager has already replaced
    const Connection *c = row >= 0 && row < connectionCount() ? &m_connections[size_t(row)] : nullptr;
    m_keys->setSource(c ? c->source.get() : nullptr, c ? c->purposeName : QString());
    applyKeyLabels();
    disconnect(m_writesConnection);
    disconnect(m_reachConnection);
    if (c && c->source) {
        m_writesConnection = connect(c->source.get(), &KeySource::writesEnabledChanged, this,
                                     [this] { Q_EMIT connectionStateChanged(connectionState()); });
        m_reachConnection = connect(c->source.get(), &KeySource::reachabilityChanged, this,
                                    [this] { Q_EMIT connectionStateChanged(connectionState()); });
    }
    Q_EMIT connectionStateChanged(connectionState());
}

void KeysBrowser::refresh()
{
    m_keys->refresh();
}

QString KeysBrowser::connectionState() const
{
    const KeySource *source = m_keys->source();
    if (!source)
        return tr("Keys: no connection");
    if (!source->isReachable())
        return tr("Keys: %1 (no answer since %2)")
            .arg(source->description(),
                 formatTimeOfDay(source->unreachableSinceMs()));
    return tr("Keys: %1 (%2)").arg(source->description(), source->writesEnabled() ? tr("writes enabled") : tr("read-only"));
}

void KeysBrowser::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // A cache that was empty when it was scanned (the demo fills its caches after the window
    // opens) is scanned again when the page is shown; a loaded tree is left as it is.
    if (m_keys->source() && m_keys->model()->isScanComplete() && m_keys->model()->loadedKeyCount() == 0)
        onCurrentRowChanged(m_list->currentRow());
}

void KeysBrowser::followReplacedCaches()
{
    // While shown, an empty and fully scanned cache is scanned again (cheap: it is empty), so keys
    // appear by themselves once the application starts filling it.
    if (isVisible() && m_keys->source() && m_keys->model()->isScanComplete() && m_keys->model()->loadedKeyCount() == 0
        && m_keys->filterEdit()->text().isEmpty())
        m_rescanEmpty = true;
    if (!m_manager)
        return;
    for (int row = 0; row < connectionCount(); ++row) {
        Connection &c = m_connections[size_t(row)];
        if (!c.purpose || !c.cache)
            continue;
        auto now = m_manager->cache(*c.purpose);
        if (!now || now == c.cache)
            continue;
        auto source = std::make_shared<CacheKeySource>(now.get());
        const bool shown = m_keys->source() == c.source.get();
        if (shown)
            m_keys->setSource(source.get(), c.purposeName); // before the old source goes
        c.source = std::move(source);
        c.cache = std::move(now);
    }
    if (m_rescanEmpty) {
        m_rescanEmpty = false;
        m_keys->setSource(m_keys->source(), currentPurposeName());
    }
}

// ---- key labels ------------------------------------------------------------------------------

void KeysBrowser::applyKeyLabels()
{
    // cache_keys records the chart-data cache's keys: label that key space only.
    const int data = rowOf(CachePurpose::Data);
    const KeySource *dataSource = data >= 0 ? m_connections[size_t(data)].source.get() : nullptr;
    const bool labelled = m_labels && dataSource && m_keys->source() == dataSource;
    m_keys->setKeyLabels(labelled ? m_labels : nullptr);
}

void KeysBrowser::clearKeyLabels()
{
    if (m_labelStop)
        m_labelStop->store(true);
    ++m_labelGeneration;
    m_labels.reset();
    applyKeyLabels();
}

void KeysBrowser::installKeyLabels(std::shared_ptr<const KeyLabelIndex> labels, quint64 generation)
{
    if (generation != m_labelGeneration)
        return; // superseded
    m_labels = std::move(labels);
    applyKeyLabels();
    Q_EMIT keyLabelsChanged();
}

void KeysBrowser::loadKeyLabels(const MetadataSnapshot &snapshot, const MetadataUri &uri)
{
    if (m_labelStop)
        m_labelStop->store(true);
    const quint64 generation = ++m_labelGeneration;
    auto stop = std::make_shared<std::atomic_bool>(false);
    m_labelStop = stop;
    const std::optional<CacheSpec> spec = m_manager ? m_manager->spec(CachePurpose::Data) : std::nullopt;
    const bool hashedNames = spec && spec->backend == BackendType::FileSystem;
    using Result = Expected<std::shared_ptr<KeyLabelIndex>>;
    auto *watcher = new QFutureWatcher<Result>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        const Result labels = watcher->result();
        if (generation != m_labelGeneration)
            return;
        if (!labels) {
            Q_EMIT errorOccurred(tr("Key labels: %1").arg(labels.error()));
            return;
        }
        installKeyLabels(*labels, generation);
    });
    watcher->setFuture(QtConcurrent::run([snapshot, uri, hashedNames, stop]() -> Result {
        // The names come from the snapshot; the family does not matter for them.
        auto index = std::make_shared<const TimeoutIndex>(snapshot, TimeoutConfig{}, SupersetFamily::Master);
        if (!snapshot.cacheKeyCount) // no cache_keys table (a release without it): no labels, no error
            return std::make_shared<KeyLabelIndex>(index, hashedNames);
        MetadataConnection connection(uri);
        KeyLabelIndex::LoadOptions options;
        options.stop = stop.get();
        return KeyLabelIndex::load(index, hashedNames, connection, options);
    }));
}

void KeysBrowser::addDecodedLabels(const AuditReport &report)
{
    if (!m_labels)
        return;
    const std::optional<CacheSpec> spec = m_manager ? m_manager->spec(CachePurpose::Data) : std::nullopt;
    const QByteArray prefix = spec && spec->backend != BackendType::FileSystem ? spec->keyPrefix : QByteArray();
    QList<std::pair<QByteArray, qint64>> decoded;
    for (const AuditEntry &e : report.entries)
        if (e.mapping == AuditMapping::SqlTableName && e.datasetId)
            decoded.append({e.key.startsWith(prefix) ? e.key.mid(prefix.size()) : e.key, *e.datasetId});
    if (decoded.isEmpty())
        return;
    const quint64 generation = ++m_labelGeneration;
    using Result = std::shared_ptr<const KeyLabelIndex>;
    auto *watcher = new QFutureWatcher<Result>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        installKeyLabels(watcher->result(), generation);
    });
    // A copy with the audit's keys added (the shown index stays immutable while views read it).
    watcher->setFuture(QtConcurrent::run([base = m_labels, decoded]() -> Result {
        auto labels = std::make_shared<KeyLabelIndex>(*base);
        for (const auto &[key, dataset] : decoded)
            labels->addDecoded(key, dataset);
        return labels;
    }));
}

QString KeysBrowser::currentPurposeName() const
{
    const int row = m_list->currentRow();
    return row >= 0 && row < connectionCount() ? m_connections[size_t(row)].purposeName : QString();
}

} // namespace cachescope
