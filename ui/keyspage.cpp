#include "keyspage.h"

#include "browse/keysource.h"
#include "formatting.h"
#include "keytreemodel.h"
#include "messagebar.h"
#include "namespacelistview.h"
#include "payloadview.h"

#include "browse/filesystemkeysource.h"
#include "browse/memcachedkeysource.h"
#include "browse/rediskeysource.h"
#include "cache/cachespec.h"
#include "codec/jsonindent.h"
#include "codec/jsonreader.h"
#include "codec/utf8.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSet>
#include <QSaveFile>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QStringDecoder>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace cachescope {

namespace {

bool hasGlob(const QString &s)
{
    return s.contains(u'*') || s.contains(u'?') || s.contains(u'[');
}

} // namespace

KeysPage::KeysPage(QWidget *parent)
    : QWidget(parent)
    , m_model(new KeyTreeModel(this))
    , m_messages(new MessageBar(this))
    , m_filter(new QLineEdit(this))
    , m_filterDebounce(new QTimer(this))
    , m_metaDebounce(new QTimer(this))
    , m_view(new QTreeView(this))
    , m_flat(new NamespaceListView(m_model, this))
    , m_views(new QStackedWidget(this))
    , m_refresh(new QPushButton(tr("Refresh"), this))
    , m_loadAll(new QPushButton(tr("Load all"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_padlock(new QToolButton(this))
    , m_actionsButton(new QToolButton(this))
    , m_actions(new QMenu(this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_previewTitle(new QLabel(this))
    , m_payload(new PayloadView(this))
{
    m_filter->setPlaceholderText(tr("Filter: a glob such as *chart* (SCAN MATCH), or an exact key"));
    m_filter->setClearButtonEnabled(true);
    m_filterDebounce->setSingleShot(true);
    m_filterDebounce->setInterval(300);
    m_metaDebounce->setSingleShot(true);
    m_metaDebounce->setInterval(150);
    connect(m_filter, &QLineEdit::textChanged, m_filterDebounce, qOverload<>(&QTimer::start));
    connect(m_filter, &QLineEdit::returnPressed, this, [this] {
        m_filterDebounce->stop();
        applyFilter();
    });
    connect(m_filterDebounce, &QTimer::timeout, this, &KeysPage::applyFilter);
    connect(m_metaDebounce, &QTimer::timeout, this, &KeysPage::requestVisibleMetadata);

    m_padlock->setCheckable(true);
    m_padlock->setToolButtonStyle(Qt::ToolButtonTextOnly);
    connect(m_padlock, &QToolButton::toggled, this, &KeysPage::onPadlockToggled);

    m_actionsButton->setText(tr("Actions"));
    m_actionsButton->setPopupMode(QToolButton::InstantPopup);
    m_actionsButton->setMenu(m_actions);
    auto addAction = [this](const QString &text, auto slot, const QString &name) {
        QAction *a = m_actions->addAction(text, this, slot);
        a->setObjectName(name);
        return a;
    };
    addAction(tr("Copy key"), &KeysPage::copyKey, QStringLiteral("copyKey"));
    addAction(tr("Copy value as JSON"), &KeysPage::copyValueAsJson, QStringLiteral("copyValue"));
    addAction(tr("Export selection as CSV…"), [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export keys"), {}, tr("CSV (*.csv)"));
        if (!path.isEmpty())
            exportSelection(path, false);
    }, QStringLiteral("exportCsv"));
    addAction(tr("Export selection as JSON…"), [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export keys"), {}, tr("JSON (*.json)"));
        if (!path.isEmpty())
            exportSelection(path, true);
    }, QStringLiteral("exportJson"));
    m_actions->addSeparator();
    addAction(tr("Delete…"), &KeysPage::deleteSelected, QStringLiteral("delete"));
    addAction(tr("Set TTL…"), &KeysPage::setTtlOfSelected, QStringLiteral("setTtl"));
    addAction(tr("Remove TTL (never expire)…"), &KeysPage::removeTtlOfSelected, QStringLiteral("removeTtl"));
    m_actions->addSeparator();
    addAction(tr("Refresh metadata"), [this] {
        m_model->requestMetadata(selectedRows(), true);
    }, QStringLiteral("refresh"));

    m_view->setModel(m_model);
    m_view->setUniformRowHeights(true); // constant-time layout at millions of rows
    m_view->setTextElideMode(Qt::ElideMiddle); // hashed keys differ at both ends
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setSortingEnabled(false);
    m_view->header()->setSectionsClickable(true);
    m_view->header()->setSortIndicatorShown(true);
    m_view->header()->setSortIndicator(-1, Qt::AscendingOrder); // scan order until the user sorts
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(KeyTreeModel::KeyColumn, QHeaderView::Stretch);
    for (int c = KeyTreeModel::TypeColumn; c < KeyTreeModel::NUM_COLUMNS; ++c)
        m_view->header()->setSectionResizeMode(c, QHeaderView::Interactive);
    m_view->header()->resizeSection(KeyTreeModel::TypeColumn, 64);
    m_view->header()->resizeSection(KeyTreeModel::TtlColumn, 72);
    m_view->header()->resizeSection(KeyTreeModel::SizeColumn, 76);
    m_view->header()->resizeSection(KeyTreeModel::KindColumn, 100);
    m_view->header()->resizeSection(KeyTreeModel::ChartColumn, 170);
    m_view->header()->resizeSection(KeyTreeModel::DatasetColumn, 150);
    m_view->header()->resizeSection(KeyTreeModel::DashboardColumn, 130);
    m_view->header()->resizeSection(KeyTreeModel::VariantsColumn, 64);
    QHeaderView *flatHeader = m_flat->table()->horizontalHeader();
    for (int c = 0; c < KeyTreeModel::NUM_COLUMNS; ++c) {
        flatHeader->setSectionResizeMode(c, m_view->header()->sectionResizeMode(c));
        flatHeader->resizeSection(c, m_view->header()->sectionSize(c));
    }
    flatHeader->setStretchLastSection(false);
    // The chart and its variant count are what a label is read for: next to the key. Dataset and
    // dashboards follow the other columns (the chart cell's tooltip has all three).
    for (QHeaderView *header : {m_view->header(), flatHeader}) {
        header->moveSection(header->visualIndex(KeyTreeModel::ChartColumn), 1);
        header->moveSection(header->visualIndex(KeyTreeModel::VariantsColumn), 2);
    }
    showLabelColumns(false);
    // Both views sort the one model; each header shows the sort.
    for (QHeaderView *header : {m_view->header(), flatHeader}) {
        connect(header, &QHeaderView::sortIndicatorChanged, this, [this, header](int column, Qt::SortOrder order) {
            for (QHeaderView *other : {m_view->header(), m_flat->table()->horizontalHeader()}) {
                if (other != header) {
                    const QSignalBlocker block(other);
                    other->setSortIndicator(column, order);
                }
            }
            m_model->sort(column, order);
            updateStatus();
        });
    }
    for (QAbstractItemView *v : {static_cast<QAbstractItemView *>(m_view), static_cast<QAbstractItemView *>(m_flat->table())}) {
        connect(v, &QWidget::customContextMenuRequested, this, &KeysPage::showContextMenu);
        connect(v->selectionModel(), &QItemSelectionModel::selectionChanged, this, &KeysPage::onSelectionChanged);
        connect(v->verticalScrollBar(), &QScrollBar::valueChanged, m_metaDebounce, qOverload<>(&QTimer::start));
    }
    connect(m_view, &QTreeView::expanded, m_metaDebounce, qOverload<>(&QTimer::start));
    // A namespace too large for the tree: expanding it shows it flat, and so does growing past
    // the limit while expanded (during a load).
    connect(m_view, &QTreeView::expanded, this, &KeysPage::switchToFlatIfLarge);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &parent) {
        if (parent.isValid() && !isShowingFlat() && m_model->rowCount(parent) >= kFlatRows && m_view->isExpanded(parent))
            QMetaObject::invokeMethod(this, [this, ns = QPersistentModelIndex(parent)] { switchToFlatIfLarge(ns); },
                                      Qt::QueuedConnection);
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &KeysPage::showTree);
    connect(m_flat, &NamespaceListView::backRequested, this, [this](const QModelIndex &ns) {
        showTree();
        if (ns.isValid()) {
            m_view->scrollTo(ns);
            m_view->setCurrentIndex(ns);
        }
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, m_metaDebounce, qOverload<>(&QTimer::start));
    connect(m_model, &QAbstractItemModel::modelReset, m_metaDebounce, qOverload<>(&QTimer::start));
    connect(m_model, &KeyTreeModel::loadProgress, this, &KeysPage::updateStatus);
    connect(m_model, &KeyTreeModel::loadingChanged, this, &KeysPage::updateStatus);
    connect(m_model, &KeyTreeModel::errorOccurred, this,
            [this](const QString &e) { m_messages->showMessage(e, MessageBar::Level::Error, errorCause(QStringLiteral("scan"))); });
    connect(m_model, &KeyTreeModel::staleChanged, this, &KeysPage::onStaleChanged);
    connect(m_model, &KeyTreeModel::keyspaceReplaced, this, &KeysPage::onKeyspaceReplaced);

    m_refresh->setToolTip(tr("Scan the keys again from the start, keeping the filter (F5)"));
    connect(m_refresh, &QPushButton::clicked, this, &KeysPage::refresh);

    connect(m_loadAll, &QPushButton::clicked, this, &KeysPage::loadAll);
    connect(m_cancel, &QPushButton::clicked, this, &KeysPage::cancelScan);
    m_progress->setTextVisible(true);
    m_progress->setMaximumWidth(260);

    m_previewTitle->setText(tr("Select a key to see its value."));
    m_previewTitle->setWordWrap(true);
    m_previewTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(m_refresh);
    top->addWidget(m_loadAll);
    top->addWidget(m_actionsButton);
    top->addWidget(m_padlock);

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_previewTitle);
    rightLayout->addWidget(m_payload, 1);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_views->addWidget(m_view);
    m_views->addWidget(m_flat);
    splitter->addWidget(m_views);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({640, 560}); // the payload's hex tab needs about 80 columns

    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_status, 1);
    bottom->addWidget(m_progress);
    bottom->addWidget(m_cancel);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_messages);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);
    layout->addLayout(bottom);

    // For screen readers: names for what has no visible label.
    setAccessibleName(tr("Keys of the connection"));
    setAccessibleDescription(tr("The selected connection's keys and the decoded value of the selected key"));
    m_filter->setAccessibleName(tr("Key filter"));
    m_view->setAccessibleName(tr("Keys by namespace"));
    m_progress->setAccessibleName(tr("Scan progress"));
    // Tab in reading order: the top row left to right, the keys, the value, then Cancel below
    // (the widgets were made in another order).
    const QList<QWidget *> order = {m_filter, m_refresh, m_loadAll, m_actionsButton, m_padlock};
    for (qsizetype i = 1; i < order.size(); ++i)
        setTabOrder(order[i - 1], order[i]);
    QWidget *lastOfPayload = m_payload; // its parts were made together, so they follow it in the chain
    while (m_payload->isAncestorOf(lastOfPayload->nextInFocusChain()))
        lastOfPayload = lastOfPayload->nextInFocusChain();
    setTabOrder(lastOfPayload, m_cancel);

    m_confirm = [this](const QString &q) {
        return QMessageBox::question(this, tr("Confirm"), q) == QMessageBox::Yes;
    };
    m_askTtl = [this]() -> std::optional<qint64> {
        bool ok = false;
        const int s = QInputDialog::getInt(this, tr("Set TTL"), tr("Expire in seconds:"), 300, 1, 365 * 86400, 1, &ok);
        return ok ? std::optional<qint64>(s) : std::nullopt;
    };
    updateStatus();
    updateActions();
}

KeysPage::~KeysPage() = default;

void KeysPage::setKeyLabels(std::shared_ptr<const KeyLabelIndex> labels)
{
    showLabelColumns(labels != nullptr);
    m_model->setKeyLabels(std::move(labels));
}

void KeysPage::showLabelColumns(bool shown)
{
    for (QHeaderView *header : {m_view->header(), m_flat->table()->horizontalHeader()}) {
        for (int c = KeyTreeModel::kFirstLabelColumn; c < KeyTreeModel::NUM_COLUMNS; ++c)
            header->setSectionHidden(c, !shown);
        // A stretched key column would shrink to nothing beside the label columns: with labels it
        // keeps a width of its own (hashes are elided in the middle) and the view scrolls.
        if (shown && header->sectionResizeMode(KeyTreeModel::KeyColumn) == QHeaderView::Stretch) {
            header->setSectionResizeMode(KeyTreeModel::KeyColumn, QHeaderView::Interactive);
            header->resizeSection(KeyTreeModel::KeyColumn, 250);
        } else if (!shown) {
            header->setSectionResizeMode(KeyTreeModel::KeyColumn, QHeaderView::Stretch);
        }
    }
}

void KeysPage::setSource(KeySource *source, const QString &cachePurpose)
{
    if (m_source)
        disconnect(m_source, nullptr, this, nullptr);
    if (source != m_source)
        m_messages->withdrawAll(QStringLiteral("keys:")); // about the previous connection
    m_source = source;
    m_cachePurpose = cachePurpose;
    m_model->setCachePurpose(cachePurpose);
    m_model->setSource(source);
    {
        const QSignalBlocker block(m_padlock);
        m_padlock->setChecked(source && source->writesEnabled());
    }
    updatePadlock();
    m_previewTitle->setText(tr("Select a key to see its value."));
    if (source) {
        connect(source, &KeySource::valueReady, this,
                [this](quint64 id, const QByteArray &key, const QByteArray &value, bool found) {
                    if (id != m_valueRequest)
                        return; // an older selection
                    m_previewKey = key;
                    m_previewValue = value;
                    const QByteArray known = m_source ? m_source->knownKeyFor(key) : QByteArray();
                    m_previewTitle->setText(found ? tr("<b>%1</b><br>%2 stored bytes%3")
                                                        .arg(utf8::toString(key).toHtmlEscaped(),
                                                             formatCount(quint64(value.size())),
                                                             known.isEmpty() ? QString()
                                                                             : tr(" — key %1").arg(utf8::toString(known).toHtmlEscaped()))
                                                  : tr("<b>%1</b><br>no longer exists").arg(utf8::toString(key).toHtmlEscaped()));
                    if (found) {
                        m_payload->setPayload(value, decodeHints());
                        Q_EMIT valueShown(key, value);
                    }
                });
        connect(source, &KeySource::valueFailed, this, [this](quint64 id, const QString &error) {
            if (id == m_valueRequest)
                m_messages->showMessage(error, MessageBar::Level::Error, errorCause(QStringLiteral("value")));
        });
        connect(source, &KeySource::metadataReady, this, [this](quint64 id, const QList<KeyMetadata> &list) {
            if (id != m_exactRequest)
                return;
            QList<QByteArray> existing;
            for (const KeyMetadata &m : list) {
                if (m.type != "none")
                    existing << m.key;
            }
            if (existing.isEmpty()) {
                m_messages->showMessage(tr("No key %1 in %2.").arg(m_filter->text(), m_source->description()),
                                        MessageBar::Level::Information, QStringLiteral("keys:lookup"));
                existing = {list.isEmpty() ? QByteArray() : list.first().key};
                existing.removeAll(QByteArray());
            }
            m_model->showExactKeys(existing);
            if (!existing.isEmpty()) {
                const QModelIndex i = m_model->indexForKey(existing.first());
                showTree();
                m_view->expandAll();
                m_view->setCurrentIndex(i);
                m_view->selectionModel()->select(i, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            }
        });
        connect(source, &KeySource::writeProgress, this, [this](quint64 id, qint64 done) {
            if (id != m_writeRequest)
                return;
            m_progress->setRange(0, 0);
            m_progress->setFormat(tr("%1 deleted").arg(formatCount(quint64(done))));
        });
        connect(source, &KeySource::writeFinished, this, [this](quint64 id, qint64 affected) {
            if (id != m_writeRequest)
                return;
            m_writeRequest = 0;
            if (m_afterWrite)
                m_afterWrite();
            m_afterWrite = nullptr;
            m_messages->showMessage(tr("Done: %1 key(s) affected.").arg(affected), MessageBar::Level::Information);
            updateStatus();
        });
        connect(source, &KeySource::writeFailed, this, [this](quint64 id, const QString &error) {
            if (id == m_writeRequest) {
                m_writeRequest = 0;
                m_afterWrite = nullptr;
            }
            m_messages->showMessage(error);
            updateStatus();
        });
        connect(source, &KeySource::writesEnabledChanged, this, [this](bool on) {
            const QSignalBlocker block(m_padlock);
            m_padlock->setChecked(on);
            updatePadlock();
            updateActions();
        });
        // The first page of keys, without waiting for the view to ask.
        if (m_model->canFetchMore({}))
            m_model->fetchMore({});
    }
    updateStatus();
    updateActions();
}

void KeysPage::rescan()
{
    if (!m_source)
        return;
    setSource(m_source, m_cachePurpose);
    applyFilter();
}

void KeysPage::applyFilter()
{
    if (!m_source)
        return;
    // What the previous filter reported; connection trouble stays until the server is back.
    m_messages->withdraw({});
    m_messages->withdraw(QStringLiteral("keys:lookup"));
    m_messages->withdraw(QStringLiteral("keys:scan"));
    const QString text = m_filter->text().trimmed();
    if (text.isEmpty() || hasGlob(text)) {
        m_exactRequest = 0;
        m_model->setFilter(text.toUtf8());
        if (m_model->canFetchMore({}))
            m_model->fetchMore({});
    } else {
        // An exact key: look it up (hashed for file caches) and show it without scanning.
        m_exactRequest = m_source->requestMetadata(m_source->storedKeysFor(text.toUtf8()));
    }
    updateStatus();
}

void KeysPage::refresh()
{
    if (!m_source)
        return;
    m_filterDebounce->stop();
    if (m_model->isExactMode() || m_filter->text().trimmed() != utf8::toString(m_model->filter())) {
        applyFilter(); // an exact key is looked up again; a filter typed but not applied yet applies
        return;
    }
    m_messages->withdraw(QStringLiteral("keys:scan"));
    m_messages->withdraw(QStringLiteral("keys:connection:restart")); // what it said is now just as true
    m_model->reload();
    updateStatus();
}

void KeysPage::onStaleChanged(bool stale)
{
    if (stale && m_source) {
        const QString since = formatTimeOfDay(m_model->staleSinceMs());
        const QString why = m_source->unreachableReason();
        m_messages->showMessage(tr("No answer from %1 since %2%3. The keys below were loaded before and may no longer "
                                   "exist; they reload by themselves when the server is back.")
                                    .arg(m_source->description(), since, why.isEmpty() ? QString() : tr(" (%1)").arg(why)),
                                MessageBar::Level::Warning, QStringLiteral("keys:connection"));
    } else {
        // The server answers again: whatever its absence caused is over.
        m_messages->withdrawAll(QStringLiteral("keys:connection"));
    }
    activeView()->viewport()->update();
    updateStatus();
}

void KeysPage::onKeyspaceReplaced()
{
    m_messages->withdrawAll(QStringLiteral("keys:connection"));
    m_messages->withdraw(QStringLiteral("keys:scan"));
    if (m_source)
        m_messages->showMessage(tr("%1 restarted (a different server instance answers now): its keys were loaded again.")
                                    .arg(m_source->description()),
                                MessageBar::Level::Information, QStringLiteral("keys:connection:restart"));
    // The selected key belonged to the old server.
    m_valueRequest = 0;
    m_previewKey.clear();
    m_previewValue.clear();
    m_previewTitle->setText(tr("Select a key to see its value."));
    if (m_model->isExactMode())
        applyFilter(); // look the typed key up on the new server
    updateStatus();
}

QAbstractItemView *KeysPage::activeView() const
{
    return isShowingFlat() ? static_cast<QAbstractItemView *>(m_flat->table()) : m_view;
}

bool KeysPage::isShowingFlat() const
{
    return m_views->currentWidget() == m_flat;
}

void KeysPage::switchToFlatIfLarge(const QModelIndex &ns)
{
    if (!ns.isValid() || !m_model->isNamespace(ns) || m_model->rowCount(ns) < kFlatRows)
        return;
    m_view->collapse(ns);
    showFlat(ns);
}

void KeysPage::showFlat(const QModelIndex &ns)
{
    m_flat->showNamespace(ns);
    m_views->setCurrentWidget(m_flat);
    m_metaDebounce->start();
}

void KeysPage::showTree()
{
    if (!isShowingFlat())
        return;
    m_flat->table()->clearSelection();
    m_views->setCurrentWidget(m_view);
    m_metaDebounce->start();
}

QString KeysPage::errorCause(const QString &kind) const
{
    return m_source && !m_source->isReachable() ? QStringLiteral("keys:connection:") + kind : QStringLiteral("keys:") + kind;
}

void KeysPage::loadAll()
{
    if (m_model->isExactMode()) {
        m_filter->clear();
        m_filterDebounce->stop();
        applyFilter();
    }
    m_model->loadAll();
    updateStatus();
}

void KeysPage::cancelScan()
{
    m_model->cancelLoad();
    if (m_writeRequest && m_source)
        m_source->cancel(m_writeRequest);
    updateStatus();
}

void KeysPage::updateStatus()
{
    const bool busy = m_model->isFetching() || m_writeRequest;
    const quint64 n = m_model->loadedKeyCount();
    QString text = m_source ? m_source->description() % QStringLiteral(" — ") : QString();
    if (!m_source)
        text = tr("No cache selected");
    else if (m_model->isStale())
        text += tr("STALE: no answer since %1; %2 keys loaded before")
                    .arg(formatTimeOfDay(m_model->staleSinceMs()),
                         formatCount(n));
    else if (m_model->isExactMode())
        text += tr("exact key");
    else if (m_model->isScanComplete())
        text += tr("%1 keys (all loaded)").arg(formatCount(n));
    else
        text += tr("%1 keys loaded, more on scroll or Load all").arg(formatCount(n));
    if (!m_model->filter().isEmpty() && !m_model->isExactMode())
        text += tr(" — MATCH %1").arg(utf8::toString(m_model->scanMatch()));
    if (m_model->isSortedLoadedOnly())
        text += tr(" — sorted: loaded keys only, new keys are appended");
    m_status->setText(text);
    m_status->setStyleSheet(m_model->isStale() ? QStringLiteral("QLabel { color: #b02a37; font-weight: bold; }") : QString());
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    if (busy && !m_writeRequest) {
        m_progress->setRange(0, 0); // SCAN has no total
        m_progress->setFormat(tr("%1 keys").arg(formatCount(n)));
    }
    m_loadAll->setEnabled(m_source && !m_model->isScanComplete() && !m_model->isLoadingAll());
    m_refresh->setEnabled(m_source);
}

QString KeysPage::statusText() const
{
    return m_status->text();
}

void KeysPage::updateActions()
{
    const bool writes = m_source && m_source->writesEnabled();
    for (QAction *a : m_actions->actions()) {
        const QString n = a->objectName();
        if (n == u"delete" || n == u"setTtl" || n == u"removeTtl")
            a->setEnabled(writes);
    }
}

void KeysPage::onPadlockToggled(bool on)
{
    if (!m_source) {
        const QSignalBlocker block(m_padlock);
        m_padlock->setChecked(false);
        return;
    }
    if (on && !confirm(tr("Enable writes on %1?\nDeletes and TTL changes stay inside the key prefix \"%2\" "
                          "and each one asks again.")
                           .arg(m_source->description(), utf8::toString(m_source->keyPrefix())))) {
        const QSignalBlocker block(m_padlock);
        m_padlock->setChecked(false);
        return;
    }
    m_source->setWritesEnabled(on);
    updatePadlock();
    updateActions();
}

void KeysPage::updatePadlock()
{
    // A padlock glyph would need an emoji font; words and colour say it on every system.
    const bool on = m_source && m_source->writesEnabled();
    m_padlock->setText(on ? tr("Unlocked: writes enabled") : tr("Locked: read-only"));
    m_padlock->setToolTip(on ? tr("Deletes and TTL changes are enabled for %1 (confined to prefix \"%2\"). "
                                  "Click to lock again.")
                                   .arg(m_source->description(), utf8::toString(m_source->keyPrefix()))
                             : tr("Writes are off for this connection. Click to enable deletes and TTL changes."));
    m_padlock->setStyleSheet(on ? QStringLiteral("QToolButton { background: #f8d7da; color: #842029; }") : QString());
}

bool KeysPage::confirm(const QString &question)
{
    return m_confirm && m_confirm(question);
}

QModelIndexList KeysPage::selectedRows() const
{
    return activeView()->selectionModel()->selectedRows(KeyTreeModel::KeyColumn);
}

QList<QByteArray> KeysPage::selectedKeys() const
{
    QList<QByteArray> keys;
    for (const QModelIndex &i : selectedRows()) {
        if (!m_model->isNamespace(i))
            keys << m_model->keyAt(i);
    }
    return keys;
}

QByteArray KeysPage::currentKey() const
{
    const QModelIndex i = activeView()->currentIndex();
    return i.isValid() && !m_model->isNamespace(i) ? m_model->keyAt(i) : QByteArray();
}

void KeysPage::onSelectionChanged()
{
    const QByteArray key = currentKey();
    if (key.isEmpty() || !m_source)
        return;
    m_model->requestMetadata({activeView()->currentIndex().siblingAtColumn(0)});
    m_valueRequest = m_source->requestValue(key);
    m_previewTitle->setText(tr("<b>%1</b><br>loading…").arg(utf8::toString(key).toHtmlEscaped()));
}

void KeysPage::requestVisibleMetadata()
{
    // One pipelined request for the rows on screen (STYLE.md: metadata for visible rows only).
    if (isShowingFlat()) {
        m_model->requestMetadata(m_flat->visibleRows(500));
        return;
    }
    QModelIndexList visible;
    QModelIndex i = m_view->indexAt(QPoint(1, 1));
    const int bottom = m_view->viewport()->height();
    while (i.isValid() && visible.size() < 500) {
        if (m_view->visualRect(i).top() > bottom)
            break;
        visible << i;
        i = m_view->indexBelow(i);
    }
    m_model->requestMetadata(visible);
}

void KeysPage::showContextMenu(const QPoint &pos)
{
    m_actions->popup(activeView()->viewport()->mapToGlobal(pos));
}

void KeysPage::copyKey()
{
    QStringList keys;
    for (const QModelIndex &i : selectedRows())
        keys << utf8::toString(m_model->keyAt(i));
    QGuiApplication::clipboard()->setText(keys.join(u'\n'));
}

void KeysPage::copyValueAsJson()
{
    if (m_previewKey.isEmpty() || m_previewKey != currentKey())
        return;
    // The decoded value when the payload view has it; else a JSON value as it is, anything else as base64.
    if (!m_payload->isDecoding() && m_payload->result().ok()) {
        QGuiApplication::clipboard()->setText(utf8::toString(m_payload->valueJson()));
        return;
    }
    // JSON is copied as stored, indented: QJsonDocument would sort its keys and drop a string's
    // leading U+FEFF (Qt 6.4's fromJson), and both are data.
    QString text;
    if (JsonReader().parse(m_previewValue)) {
        text = utf8::toString(indentJson(m_previewValue, 4));
    } else {
        QJsonObject o;
        o.insert(QStringLiteral("key"), utf8::toString(m_previewKey));
        o.insert(QStringLiteral("size"), m_previewValue.size());
        o.insert(QStringLiteral("base64"), QString::fromLatin1(m_previewValue.toBase64()));
        text = QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
    }
    QGuiApplication::clipboard()->setText(text);
}

bool KeysPage::exportSelection(const QString &path, bool json)
{
    QList<QModelIndex> rows;
    QSet<QByteArray> seen; // a key selected both itself and through its namespace is written once
    std::function<void(const QModelIndex &)> collect = [&](const QModelIndex &i) {
        if (!m_model->isNamespace(i)) {
            const QByteArray key = m_model->keyAt(i);
            if (!seen.contains(key)) {
                seen.insert(key);
                rows << i;
            }
            return;
        }
        for (int r = 0; r < m_model->rowCount(i); ++r)
            collect(m_model->index(r, 0, i));
    };
    for (const QModelIndex &i : selectedRows())
        collect(i);
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        m_messages->showMessage(tr("Cannot write %1: %2").arg(path, f.errorString()));
        return false;
    }
    auto cell = [](const QModelIndex &i, int column, int role) { return i.siblingAtColumn(column).data(role); };
    if (json) {
        QJsonArray out;
        for (const QModelIndex &i : std::as_const(rows)) {
            QJsonObject o;
            o.insert(QStringLiteral("key"), utf8::toString(m_model->keyAt(i)));
            o.insert(QStringLiteral("type"), cell(i, KeyTreeModel::TypeColumn, Qt::DisplayRole).toString());
            o.insert(QStringLiteral("ttl_ms"), cell(i, KeyTreeModel::TtlColumn, KeyTreeModel::TtlMsRole).toLongLong());
            o.insert(QStringLiteral("size"), cell(i, KeyTreeModel::SizeColumn, KeyTreeModel::SizeBytesRole).toLongLong());
            o.insert(QStringLiteral("kind"), cell(i, KeyTreeModel::KindColumn, Qt::DisplayRole).toString());
            if (const QVariant dataset = i.data(KeyTreeModel::DatasetIdRole); dataset.isValid()) {
                o.insert(QStringLiteral("chart"), cell(i, KeyTreeModel::ChartColumn, Qt::DisplayRole).toString());
                o.insert(QStringLiteral("dataset_id"), dataset.toLongLong());
                o.insert(QStringLiteral("dataset"), cell(i, KeyTreeModel::DatasetColumn, Qt::DisplayRole).toString());
                o.insert(QStringLiteral("dashboards"), cell(i, KeyTreeModel::DashboardColumn, Qt::DisplayRole).toString());
                o.insert(QStringLiteral("variants"), i.data(KeyTreeModel::VariantsRole).toInt());
            }
            out.append(o);
        }
        f.write(QJsonDocument(out).toJson(QJsonDocument::Indented));
    } else {
        f.write("key,type,ttl_ms,size,kind\n");
        auto quote = [](QByteArray s) -> QByteArray { return '"' + s.replace('"', "\"\"") + '"'; };
        for (const QModelIndex &i : std::as_const(rows)) {
            f.write(quote(m_model->keyAt(i)) + ',' + cell(i, KeyTreeModel::TypeColumn, Qt::DisplayRole).toString().toUtf8()
                    + ',' + QByteArray::number(cell(i, KeyTreeModel::TtlColumn, KeyTreeModel::TtlMsRole).toLongLong())
                    + ',' + QByteArray::number(cell(i, KeyTreeModel::SizeColumn, KeyTreeModel::SizeBytesRole).toLongLong())
                    + ',' + quote(cell(i, KeyTreeModel::KindColumn, Qt::DisplayRole).toString().toUtf8()) + '\n');
        }
    }
    if (!f.commit()) {
        m_messages->showMessage(tr("Cannot write %1: %2").arg(path, f.errorString()));
        return false;
    }
    return true;
}

DecodeHints KeysPage::decodeHints() const
{
    // The source says how values are framed; the purpose says what Superset stored in them.
    DecodeHints hints;
    if (qobject_cast<RedisKeySource *>(m_source.data()))
        hints.backend = DecodeHints::Backend::Redis;
    else if (qobject_cast<FileSystemKeySource *>(m_source.data()))
        hints.backend = DecodeHints::Backend::FileSystem;
    else if (qobject_cast<MemcachedKeySource *>(m_source.data()))
        hints.backend = DecodeHints::Backend::Memcached;
    switch (purposeFromConfigName(m_cachePurpose).value_or(CachePurpose::Cache)) {
    case CachePurpose::Data: hints.purpose = DecodeHints::Purpose::ChartData; break;
    case CachePurpose::Results: hints.purpose = DecodeHints::Purpose::SqlLabResults; break;
    case CachePurpose::Thumbnail: hints.purpose = DecodeHints::Purpose::Thumbnail; break;
    case CachePurpose::ExploreFormData: hints.purpose = DecodeHints::Purpose::FormData; break;
    case CachePurpose::FilterState: hints.purpose = DecodeHints::Purpose::FilterState; break;
    default: break;
    }
    if (hints.purpose == DecodeHints::Purpose::Unknown) {
        // No cache purpose (an ad-hoc connection): the kind the key's shape suggests.
        const QString kind = activeView()->currentIndex().siblingAtColumn(KeyTreeModel::KindColumn).data().toString();
        if (kind == u"chart data")
            hints.purpose = DecodeHints::Purpose::ChartData;
        else if (kind == u"SQL Lab result")
            hints.purpose = DecodeHints::Purpose::SqlLabResults;
        else if (kind == u"thumbnail")
            hints.purpose = DecodeHints::Purpose::Thumbnail;
        else if (kind.startsWith(u"form data"))
            hints.purpose = DecodeHints::Purpose::FormData;
        else if (kind == u"filter state")
            hints.purpose = DecodeHints::Purpose::FilterState;
    }
    return hints;
}

bool KeysPage::requireWrites()
{
    if (m_source && m_source->writesEnabled())
        return true;
    m_messages->showMessage(tr("%1 is read-only: click the padlock to enable writes for this connection.")
                                .arg(m_source ? m_source->description() : tr("This cache")),
                            MessageBar::Level::Warning);
    return false;
}

void KeysPage::deleteSelected()
{
    if (!m_source || m_writeRequest || !requireWrites())
        return;
    const QModelIndexList rows = selectedRows();
    QList<QByteArray> keys;
    QList<QPersistentModelIndex> namespaces;
    for (const QModelIndex &i : rows) {
        if (m_model->isNamespace(i))
            namespaces << i;
        else
            keys << m_model->keyAt(i);
    }
    if (!namespaces.isEmpty()) {
        // One namespace at a time: SCAN+DEL in batches with progress and cancel.
        const QPersistentModelIndex ns = namespaces.first();
        const QByteArray path = m_model->keyAt(ns);
        if (!confirm(tr("Delete every key matching %1* in %2? This cannot be undone.")
                         .arg(utf8::toString(path), m_source->description())))
            return;
        m_writeRequest = m_source->deleteNamespace(path);
        m_afterWrite = [this, ns] {
            if (ns.isValid())
                m_model->removeNamespace(ns);
        };
    } else if (!keys.isEmpty()) {
        if (!confirm(tr("Delete %n key(s) from %1? This cannot be undone.", nullptr, int(keys.size()))
                         .arg(m_source->description())))
            return;
        m_writeRequest = m_source->deleteKeys(keys);
        m_afterWrite = [this, keys] { m_model->removeKeys(keys); };
    }
    updateStatus();
}

void KeysPage::setTtlOfSelected()
{
    const QList<QByteArray> keys = selectedKeys();
    if (!m_source || keys.isEmpty() || m_writeRequest || !m_askTtl || !requireWrites())
        return;
    const auto seconds = m_askTtl();
    if (!seconds || *seconds <= 0)
        return;
    if (!confirm(tr("Set the TTL of %n key(s) to %1?", nullptr, int(keys.size())).arg(formatDuration(*seconds))))
        return;
    const QModelIndexList rows = selectedRows();
    m_writeRequest = m_source->setTtl(keys, *seconds * 1000);
    m_afterWrite = [this, rows] { m_model->requestMetadata(rows, true); };
}

void KeysPage::removeTtlOfSelected()
{
    const QList<QByteArray> keys = selectedKeys();
    if (!m_source || keys.isEmpty() || m_writeRequest || !requireWrites())
        return;
    if (!confirm(tr("Make %n key(s) never expire?", nullptr, int(keys.size()))))
        return;
    const QModelIndexList rows = selectedRows();
    m_writeRequest = m_source->setTtl(keys, -1);
    m_afterWrite = [this, rows] { m_model->requestMetadata(rows, true); };
}

} // namespace cachescope
