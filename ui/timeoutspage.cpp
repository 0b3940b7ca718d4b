#include "timeoutspage.h"

#include "timeoutauditmodel.h"
#include "timeoutexplain.h"
#include "timeoutfilterproxy.h"
#include "timeoutmodel.h"

#include "cache/cachemanager.h"
#include "config/configeditor.h"
#include "config/configreport.h"
#include "metadata/metadataconnection.h"
#include "metadata/metadatadatabase.h"
#include "metadata/metadataworker.h"
#include "timeouts/auditsamples.h"
#include "timeouts/timeoutedit.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace cachescope {

namespace {

QString secondsText(const std::optional<qint64> &v)
{
    return v ? QString::number(*v) : QStringLiteral("NULL");
}

QString effectiveWords(qint64 effective, bool bypass)
{
    if (bypass)
        return QStringLiteral("-1 (bypass)");
    return effective == 0 ? QStringLiteral("never expires") : QStringLiteral("%1 s").arg(effective);
}

// "600", "0", "-1" or "null"/"" (NULL); false when it is neither.
bool parseSeconds(const QString &text, std::optional<qint64> *value)
{
    const QString t = text.trimmed();
    if (t.isEmpty() || t.compare(QStringLiteral("null"), Qt::CaseInsensitive) == 0 || t == u"None") {
        *value = std::nullopt;
        return true;
    }
    bool ok = false;
    const qint64 v = t.toLongLong(&ok);
    if (ok)
        *value = v;
    return ok;
}

} // namespace

TimeoutsPage::TimeoutsPage(QWidget *parent)
    : QWidget(parent)
    , m_model(new TimeoutModel(this))
    , m_proxy(new TimeoutFilterProxy(this))
    , m_auditModel(new TimeoutAuditModel(this))
{
    m_proxy->setSourceModel(m_model);
    buildUi();
    connect(m_model, &TimeoutModel::resolved, this, [this] {
        updateDetail();
        updateStatus();
        updateActions();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        // The metadata group starts open, the databases show their datasets.
        const QModelIndex caches = m_proxy->mapFromSource(m_model->indexOfGroup(TimeoutModel::Group::Caches));
        const QModelIndex databases = m_proxy->mapFromSource(m_model->indexOfGroup(TimeoutModel::Group::Databases));
        // Group titles ("Metadata database: 3 databases, …") use the whole row.
        for (int r = 0; r < m_proxy->rowCount(); ++r)
            m_tree->setFirstColumnSpanned(r, QModelIndex(), true);
        m_tree->expand(caches);
        m_tree->expand(databases);
        if (m_proxy->rowCount(databases) <= 20)
            for (int r = 0; r < m_proxy->rowCount(databases); ++r)
                m_tree->expand(m_proxy->index(r, 0, databases));
    });
    updateStatus();
    updateActions();
}

TimeoutsPage::~TimeoutsPage()
{
    if (m_auditStop)
        m_auditStop->store(true);
}

void TimeoutsPage::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto *sourceRow = new QHBoxLayout;
    sourceRow->addWidget(new QLabel(tr("Metadata database:")));
    m_uriEdit = new QLineEdit;
    m_uriEdit->setPlaceholderText(tr("SQLAlchemy URI (sqlite:////path/superset.db, postgresql://…, mysql://…)"));
    m_uriEdit->setToolTip(tr("The config's SQLALCHEMY_DATABASE_URI unless you give another one; opened read-only."));
    sourceRow->addWidget(m_uriEdit, 1);
    auto *open = new QPushButton(tr("Open"));
    sourceRow->addWidget(open);
    auto *reloadButton = new QPushButton(tr("Reload"));
    sourceRow->addWidget(reloadButton);
    sourceRow->addWidget(new QLabel(tr("Superset:")));
    m_family = new QComboBox;
    m_family->addItem(tr("Guess from the schema"));
    for (const FamilyRules &rules : allFamilyRules())
        m_family->addItem(QString::fromLatin1(rules.id), int(rules.family));
    m_family->setToolTip(tr("The release family whose timeout rules apply; by default guessed from alembic_version."));
    sourceRow->addWidget(m_family);
    m_allowWrites = new QCheckBox(tr("Allow writes"));
    m_allowWrites->setToolTip(tr("Unlocks cache_timeout edits in this metadata database and default-timeout edits "
                                 "in the config file. Every edit is previewed and confirmed first."));
    sourceRow->addWidget(m_allowWrites);
    layout->addLayout(sourceRow);

    m_tabs = new QTabWidget;
    layout->addWidget(m_tabs, 1);

    // Chain tab: filter row, tree, detail pane.
    auto *chain = new QWidget;
    auto *chainLayout = new QVBoxLayout(chain);
    chainLayout->setContentsMargins(0, 4, 0, 0);
    auto *filterRow = new QHBoxLayout;
    m_search = new QLineEdit;
    m_search->setPlaceholderText(tr("Search names, #id, dashboards, cache purposes"));
    m_search->setClearButtonEnabled(true);
    filterRow->addWidget(m_search, 1);
    m_filter = new QComboBox;
    m_filter->addItem(tr("All rows"), int(TimeoutFilterProxy::Filter::All));
    m_filter->addItem(tr("With pitfalls"), int(TimeoutFilterProxy::Filter::Pitfalls));
    m_filter->addItem(tr("Bypass (-1)"), int(TimeoutFilterProxy::Filter::Bypass));
    m_filter->addItem(tr("Own timeout set"), int(TimeoutFilterProxy::Filter::OwnSet));
    m_filter->addItem(tr("Never expires"), int(TimeoutFilterProxy::Filter::NeverExpires));
    filterRow->addWidget(m_filter);
    m_editButton = new QPushButton(tr("Edit timeout…"));
    filterRow->addWidget(m_editButton);
    m_undoButton = new QPushButton(tr("Undo config edit"));
    filterRow->addWidget(m_undoButton);
    chainLayout->addLayout(filterRow);

    auto *split = new QSplitter(Qt::Vertical);
    m_tree = new QTreeView;
    m_tree->setModel(m_proxy);
    m_tree->setUniformRowHeights(true); // 100,000 charts scroll without measuring each row
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(-1, Qt::AscendingOrder);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setColumnWidth(TimeoutModel::NameColumn, 300);
    m_tree->setColumnWidth(TimeoutModel::OwnColumn, 70);
    m_tree->setColumnWidth(TimeoutModel::EffectiveColumn, 170);
    m_tree->setColumnWidth(TimeoutModel::SourceColumn, 260);
    m_tree->setColumnWidth(TimeoutModel::PitfallsColumn, 220);
    split->addWidget(m_tree);
    m_detail = new QTextBrowser;
    m_detail->setOpenLinks(false);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    chainLayout->addWidget(split, 1);
    m_tabs->addTab(chain, tr("Timeout chain"));

    // Audit tab.
    auto *audit = new QWidget;
    auto *auditLayout = new QVBoxLayout(audit);
    auditLayout->setContentsMargins(0, 4, 0, 0);
    auto *auditRow = new QHBoxLayout;
    m_auditButton = new QPushButton(tr("Audit the chart-data cache"));
    auditRow->addWidget(m_auditButton);
    m_auditStatus = new QLabel(tr("Compares the TTL each chart-data entry was given with what its chain gives today."));
    m_auditStatus->setWordWrap(true);
    auditRow->addWidget(m_auditStatus, 1);
    auditLayout->addLayout(auditRow);
    m_auditView = new QTableView;
    m_auditView->setModel(m_auditModel);
    m_auditView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_auditView->horizontalHeader()->setStretchLastSection(true);
    m_auditView->verticalHeader()->hide();
    m_auditView->setWordWrap(false);
    m_auditView->setColumnWidth(TimeoutAuditModel::KeyColumn, 170);
    m_auditView->setColumnWidth(TimeoutAuditModel::ChartColumn, 330);
    m_auditView->setColumnWidth(TimeoutAuditModel::DatasetColumn, 130);
    auditLayout->addWidget(m_auditView, 1);
    m_tabs->addTab(audit, tr("Configured vs actual"));

    m_status = new QLabel;
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    // For screen readers: what the page is for, and names for what has no visible label.
    setAccessibleName(tr("Timeouts"));
    setAccessibleDescription(tr("How long entries live: each cache's default timeout and the databases, datasets and "
                                "charts of the metadata database that override it"));
    m_uriEdit->setAccessibleName(tr("Metadata database URI"));
    m_family->setAccessibleName(tr("Superset release family"));
    m_tabs->setAccessibleName(tr("Timeout views"));
    m_search->setAccessibleName(tr("Search the timeout chain"));
    m_filter->setAccessibleName(tr("Rows to show"));
    m_tree->setAccessibleName(tr("Timeout chain"));
    m_detail->setAccessibleName(tr("Details of the selected row"));
    m_auditView->setAccessibleName(tr("Configured versus actual TTLs"));

    m_searchDebounce = new QTimer(this);
    m_searchDebounce->setSingleShot(true);
    m_searchDebounce->setInterval(300);
    connect(m_search, &QLineEdit::textChanged, m_searchDebounce, qOverload<>(&QTimer::start));
    connect(m_searchDebounce, &QTimer::timeout, this, [this] { m_proxy->setSearchText(m_search->text()); });
    connect(m_filter, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setFilter(TimeoutFilterProxy::Filter(m_filter->currentData().toInt())); });
    connect(m_family, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_familyChoice = i == 0 ? std::nullopt : std::optional<SupersetFamily>(SupersetFamily(m_family->itemData(i).toInt()));
        applyFamilyChoice();
    });
    connect(open, &QPushButton::clicked, this, [this] {
        m_userUri = !m_uriEdit->text().trimmed().isEmpty();
        openMetadata(m_userUri ? m_uriEdit->text().trimmed() : m_configUri);
    });
    connect(m_uriEdit, &QLineEdit::returnPressed, open, &QPushButton::click);
    connect(reloadButton, &QPushButton::clicked, this, &TimeoutsPage::reload);
    connect(m_allowWrites, &QCheckBox::toggled, this, &TimeoutsPage::setWritesAllowed);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        updateDetail();
        updateActions();
    });
    connect(m_tree, &QTreeView::doubleClicked, this, [this] { editSelected(); });
    connect(m_editButton, &QPushButton::clicked, this, &TimeoutsPage::editSelected);
    connect(m_undoButton, &QPushButton::clicked, this, &TimeoutsPage::undoConfigEdit);
    connect(m_auditButton, &QPushButton::clicked, this, &TimeoutsPage::runAudit);
}

// --- inputs ------------------------------------------------------------------------------------

void TimeoutsPage::setConfigReport(const ConfigReport &report, const ConfigLoader::Options &options)
{
    m_configFile = report.fileName;
    m_loaderOptions = options;
    m_model->setConfig(report);
    QString uri;
    if (const py::ValuePtr v = report.setting(QStringLiteral("SQLALCHEMY_DATABASE_URI")); v && v->kind == py::Value::Kind::Str)
        uri = v->s;
    if (uri != m_configUri || !m_worker) {
        m_configUri = uri;
        if (!m_userUri)
            openMetadata(uri);
    }
    updateStatus();
    updateActions();
}

void TimeoutsPage::setDemo(const TimeoutConfig &config, const QList<CacheTimeoutRow> &caches, const QString &metadataFile)
{
    m_configFile.clear();
    m_model->setConfig(config, caches);
    m_configUri = QStringLiteral("sqlite:///") + metadataFile;
    if (!m_userUri)
        openMetadata(m_configUri);
}

void TimeoutsPage::setCacheManager(CacheManager *manager)
{
    if (m_auditStop)
        m_auditStop->store(true); // a running audit must not outlive the caches it reads
    m_managerRaw = manager;
    m_auditModel->clear();
    updateActions();
}

void TimeoutsPage::openMetadata(const QString &uriText)
{
    if (m_worker) {
        m_worker->deleteLater();
        m_worker = nullptr;
    }
    m_uri.reset();
    if (m_auditStop)
        m_auditStop->store(true);
    m_allowWrites->blockSignals(true);
    m_allowWrites->setChecked(false); // a new connection starts locked
    m_allowWrites->blockSignals(false);
    m_loadError.clear();
    m_loading = false;
    m_auditModel->clear();
    if (!m_userUri)
        m_uriEdit->setText(QString());
    if (uriText.isEmpty()) {
        m_model->clearSnapshot();
        m_uriEdit->setPlaceholderText(tr("No SQLALCHEMY_DATABASE_URI in the config: give a SQLAlchemy URI"));
        updateStatus();
        updateActions();
        return;
    }
    // A relative SQLite path is relative to Superset's working directory; the config's directory
    // is the best guess the window has.
    const QString base = m_configFile.isEmpty() ? QString() : QFileInfo(m_configFile).absolutePath();
    auto uri = MetadataUri::parse(uriText, base);
    if (!uri) {
        m_loadError = uri.error();
        m_model->clearSnapshot();
        Q_EMIT errorOccurred(tr("Metadata database: %1").arg(uri.error()));
        updateStatus();
        updateActions();
        return;
    }
    m_uri = std::make_unique<MetadataUri>(*uri);
    m_worker = new MetadataWorker(*uri, this);
    m_uriEdit->setPlaceholderText(m_worker->description());
    connect(m_worker, &MetadataWorker::snapshotReady, this, [this](quint64 id, const MetadataSnapshot &snapshot) {
        if (id != m_snapshotRequest)
            return;
        m_loading = false;
        m_loadError.clear();
        const FamilyGuess guess = familyFromAlembicRevision(snapshot.schema.alembicRevision);
        m_familyReason = guess.reason;
        m_model->setSnapshot(snapshot);
        applyFamilyChoice();
        if (!snapshot.warnings.isEmpty())
            Q_EMIT errorOccurred(tr("Metadata database: %1").arg(snapshot.warnings.join(QStringLiteral("; "))));
        Q_EMIT snapshotLoaded();
        updateStatus();
    });
    connect(m_worker, &MetadataWorker::writesEnabledChanged, this, [this](quint64, bool enabled) {
        m_allowWrites->blockSignals(true);
        m_allowWrites->setChecked(enabled);
        m_allowWrites->blockSignals(false);
        updateStatus();
        updateActions();
    });
    connect(m_worker, &MetadataWorker::cacheTimeoutChanged, this, [this](quint64, const TimeoutChange &change) {
        m_model->applyChange(change);
        Q_EMIT metadataChanged(change);
        m_lastAction = tr("Written: %1 %2 \"%3\" cache_timeout %4 → %5 (%6)")
                              .arg(metadataKindName(change.kind))
                              .arg(change.id)
                              .arg(change.name, secondsText(change.before), secondsText(change.after), change.sql);
        updateStatus();
    });
    connect(m_worker, &MetadataWorker::failed, this, [this](quint64 id, const QString &error) {
        if (id == m_snapshotRequest) {
            m_loading = false;
            m_loadError = error;
            m_model->clearSnapshot();
            updateStatus();
        }
        if (id != m_snapshotRequest && id != m_editRequest) {
            // An unlock that failed: the box goes back to what the connection confirmed.
            m_allowWrites->blockSignals(true);
            m_allowWrites->setChecked(m_worker && m_worker->writesEnabled());
            m_allowWrites->blockSignals(false);
        }
        Q_EMIT errorOccurred(tr("Metadata database: %1").arg(error));
        updateActions();
    });
    reload();
}

void TimeoutsPage::reload()
{
    if (!m_worker)
        return;
    if (m_loading)
        m_worker->cancel(m_snapshotRequest);
    m_loading = true;
    m_snapshotRequest = m_worker->requestSnapshot();
    updateStatus();
}

void TimeoutsPage::setFamilyChoice(std::optional<SupersetFamily> family)
{
    const int i = family ? m_family->findData(int(*family)) : 0;
    if (i >= 0)
        m_family->setCurrentIndex(i); // applies through currentIndexChanged
    m_familyChoice = family;
    applyFamilyChoice();
}

void TimeoutsPage::applyFamilyChoice()
{
    if (m_familyChoice) {
        m_model->setFamily(*m_familyChoice);
    } else if (const MetadataSnapshot *s = m_model->snapshot()) {
        m_model->setFamily(familyFromAlembicRevision(s->schema.alembicRevision).family);
    }
    updateStatus();
}

bool TimeoutsPage::writesAllowed() const
{
    return m_allowWrites->isChecked() && (!m_worker || m_worker->writesEnabled());
}

void TimeoutsPage::setWritesAllowed(bool allowed)
{
    m_allowWrites->blockSignals(true);
    m_allowWrites->setChecked(allowed);
    m_allowWrites->blockSignals(false);
    if (m_worker)
        m_worker->setWritesEnabled(allowed); // confirmed by writesEnabledChanged
    updateStatus();
    updateActions();
}

// --- display -----------------------------------------------------------------------------------

QString TimeoutsPage::statusText() const
{
    return m_status->text();
}

QString TimeoutsPage::detailText() const
{
    return m_detail->toPlainText();
}

QString TimeoutsPage::auditText() const
{
    return m_auditStatus->text();
}

void TimeoutsPage::updateStatus()
{
    QStringList parts;
    if (m_worker) {
        const MetadataSnapshot *s = m_model->snapshot();
        if (m_loading)
            parts << tr("Reading %1…").arg(m_worker->description());
        else if (!m_loadError.isEmpty())
            parts << m_loadError;
        else if (s)
            parts << tr("%1: %2 databases, %3 datasets, %4 charts read in %5 ms")
                         .arg(m_worker->description())
                         .arg(s->databases.size())
                         .arg(s->datasets.size())
                         .arg(s->charts.size())
                         .arg(s->loadMs);
        parts << (m_worker->writesEnabled() ? tr("writes unlocked") : tr("read-only"));
    } else if (!m_loadError.isEmpty()) {
        parts << m_loadError;
    } else {
        parts << tr("No metadata database: only the caches' default timeouts are shown.");
    }
    QString family = tr("rules of Superset %1").arg(familyId(m_model->family()));
    if (!m_familyChoice && m_model->hasSnapshot() && !m_familyReason.isEmpty())
        family += QStringLiteral(" (%1)").arg(m_familyReason);
    else if (m_familyChoice)
        family += tr(" (chosen)");
    parts << family;
    if (m_model->isResolving())
        parts << tr("resolving…");
    if (!m_lastAction.isEmpty())
        parts << m_lastAction;
    m_status->setText(parts.join(QStringLiteral(" · ")));
}

void TimeoutsPage::updateActions()
{
    const QModelIndex current = m_proxy->mapToSource(m_tree->currentIndex());
    const auto kind = m_model->kindAt(current);
    const bool metadataRow = m_model->metadataKindAt(current).has_value() && m_worker;
    const bool cacheRow = kind == TimeoutModel::RowKind::Cache && !m_configFile.isEmpty();
    m_editButton->setEnabled(current.isValid() && (metadataRow || cacheRow));
    m_editButton->setToolTip(kind == TimeoutModel::RowKind::Cache && m_configFile.isEmpty()
                                 ? tr("The demo's cache defaults live in its JSON config, not in a superset_config.py")
                                 : tr("Preview, then write this row's timeout (needs \"Allow writes\")"));
    m_undoButton->setEnabled(m_lastEdit != nullptr);
    m_auditButton->setEnabled(!m_auditRunning && m_model->hasSnapshot() && m_managerRaw
                              && m_managerRaw->spec(CachePurpose::Data).has_value());
}

void TimeoutsPage::updateDetail()
{
    const QModelIndex current = m_proxy->mapToSource(m_tree->currentIndex());
    if (!current.isValid()) {
        m_detail->setPlainText(tr("Select a row to see how its timeout is resolved."));
        return;
    }
    QString html;
    const auto kind = m_model->kindAt(current);
    if (kind == TimeoutModel::RowKind::Cache) {
        html = QStringLiteral("<b>%1</b><br>%2").arg(current.siblingAtColumn(0).data().toString().toHtmlEscaped(),
                                                     current.data(Qt::ToolTipRole).toString().toHtmlEscaped().replace(u'\n', QStringLiteral("<br>")));
    } else if (const auto r = m_model->resolutionAt(current)) {
        const auto index = m_model->timeoutIndex();
        html = QStringLiteral("<b>%1</b> — effective: <b>%2</b><br>%3<ol>")
                   .arg(current.siblingAtColumn(0).data().toString().toHtmlEscaped(), timeoutexplain::effectiveText(*r).toHtmlEscaped(),
                        timeoutexplain::summary(*r).toHtmlEscaped());
        for (const QString &step : timeoutexplain::steps(*r, index->rules(), index->config()))
            html += QStringLiteral("<li>%1</li>").arg(step.toHtmlEscaped());
        html += QStringLiteral("</ol>");
        for (const TimeoutPitfall &p : r->pitfalls)
            html += QStringLiteral("<p style='color:#9c4000'>⚠ %1</p>").arg(p.message.toHtmlEscaped());
    } else {
        html = current.siblingAtColumn(0).data().toString().toHtmlEscaped();
    }
    m_detail->setHtml(html);
}

// --- editors -----------------------------------------------------------------------------------

QString TimeoutsPage::previewMetadataEdit(MetadataKind kind, qint64 id, std::optional<qint64> seconds, QString *error)
{
    const auto index = m_model->timeoutIndex();
    if (!index) {
        if (error)
            *error = tr("no metadata database is loaded");
        return {};
    }
    auto p = previewTimeoutEdit(*index, kind, id, seconds);
    if (!p) {
        if (error)
            *error = p.error();
        return {};
    }
    QString text = tr("%1 %2 \"%3\": cache_timeout %4 → %5\n")
                       .arg(metadataKindName(kind))
                       .arg(id)
                       .arg(p->name, secondsText(p->ownBefore), secondsText(p->ownAfter));
    text += tr("Under Superset %1 a chart without its own timeout gets %2 → %3.\n")
                .arg(familyId(m_model->family()), effectiveWords(p->before.effective, p->before.bypass),
                     effectiveWords(p->after.effective, p->after.bypass));
    text += tr("%n chart(s) reached, ", nullptr, int(p->charts.size())) + tr("%n change:", nullptr, p->changedCharts);
    int shown = 0;
    for (const TimeoutEditEffect &e : p->charts) {
        if (!e.changed())
            continue;
        if (++shown > 50) {
            text += tr("\n  … and %1 more").arg(p->changedCharts - 50);
            break;
        }
        text += QStringLiteral("\n  chart %1 \"%2\": %3 (%4) → %5 (%6)")
                    .arg(e.chartId)
                    .arg(e.chartName, effectiveWords(e.beforeEffective, e.beforeBypass), timeoutLinkName(e.beforeSource),
                         effectiveWords(e.afterEffective, e.afterBypass), timeoutLinkName(e.afterSource));
    }
    return text;
}

bool TimeoutsPage::confirmMetadataEdit(MetadataKind kind, qint64 id, std::optional<qint64> seconds)
{
    if (!m_worker)
        return false;
    if (!m_worker->writesEnabled()) {
        Q_EMIT errorOccurred(tr("%1 is read-only: tick \"Allow writes\" first").arg(m_worker->description()));
        return false;
    }
    m_editRequest = m_worker->setCacheTimeout(kind, id, seconds);
    return true;
}

void TimeoutsPage::editSelected()
{
    const QModelIndex current = m_proxy->mapToSource(m_tree->currentIndex());
    if (const auto kind = m_model->metadataKindAt(current)) {
        editMetadataInteractively(*kind, *m_model->objectIdAt(current));
    } else if (m_model->kindAt(current) == TimeoutModel::RowKind::Cache && !m_configFile.isEmpty()) {
        editCacheInteractively(CachePurpose(current.data(TimeoutModel::IdRole).toInt()));
    }
}

void TimeoutsPage::editMetadataInteractively(MetadataKind kind, qint64 id)
{
    if (!m_worker)
        return;
    const QModelIndex row = m_model->indexOf(kind, id);
    bool ok = false;
    const QString text = QInputDialog::getText(this, tr("Edit cache_timeout"),
                                               tr("New cache_timeout of %1 %2 in seconds (-1, 0, a number, or null):")
                                                   .arg(metadataKindName(kind))
                                                   .arg(id),
                                               QLineEdit::Normal, secondsText(m_model->ownAt(row)), &ok);
    if (!ok)
        return;
    std::optional<qint64> seconds;
    if (!parseSeconds(text, &seconds)) {
        Q_EMIT errorOccurred(tr("\"%1\" is not a timeout: give seconds, -1, 0 or null").arg(text));
        return;
    }
    QString error;
    const QString preview = previewMetadataEdit(kind, id, seconds, &error);
    if (preview.isEmpty()) {
        Q_EMIT errorOccurred(error);
        return;
    }
    QMessageBox box(QMessageBox::Question, tr("Write cache_timeout?"), preview, QMessageBox::NoButton, this);
    box.setInformativeText(m_worker->writesEnabled() ? tr("One transaction in %1.").arg(m_worker->description())
                                                     : tr("%1 is read-only: tick \"Allow writes\" to make this change.")
                                                           .arg(m_worker->description()));
    QPushButton *write = box.addButton(tr("Write"), QMessageBox::AcceptRole);
    write->setEnabled(m_worker->writesEnabled());
    box.addButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() == write)
        confirmMetadataEdit(kind, id, seconds);
}

void TimeoutsPage::planConfigEdit(CachePurpose purpose, std::optional<qint64> seconds)
{
    if (m_configFile.isEmpty()) {
        Q_EMIT errorOccurred(tr("No superset_config.py is open: the demo's defaults live in its JSON config"));
        return;
    }
    m_plannedEdit.reset();
    // Reads the file: off the GUI thread.
    auto *watcher = new QFutureWatcher<Expected<ConfigEdit>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        watcher->deleteLater();
        const Expected<ConfigEdit> plan = watcher->result();
        if (!plan) {
            Q_EMIT errorOccurred(plan.error());
            return;
        }
        m_plannedEdit = std::make_unique<ConfigEdit>(*plan);
        Q_EMIT configEditPlanned();
    });
    watcher->setFuture(QtConcurrent::run([path = m_configFile, setting = purposeConfigName(purpose), seconds,
                                          options = m_loaderOptions] {
        return ConfigEditor::planDefaultTimeout(path, setting, seconds, options);
    }));
}

void TimeoutsPage::editCacheInteractively(CachePurpose purpose)
{
    const QModelIndex row = m_model->indexOfCache(purpose);
    bool ok = false;
    const QString text = QInputDialog::getText(this, tr("Edit default timeout"),
                                               tr("%1's CACHE_DEFAULT_TIMEOUT in seconds (0 never expires; null removes "
                                                  "it, so the next link applies):")
                                                   .arg(purposeConfigName(purpose)),
                                               QLineEdit::Normal, secondsText(m_model->ownAt(row)), &ok);
    if (!ok)
        return;
    std::optional<qint64> seconds;
    if (!parseSeconds(text, &seconds)) {
        Q_EMIT errorOccurred(tr("\"%1\" is not a timeout: give seconds or null").arg(text));
        return;
    }
    // The plan arrives asynchronously; its dialog opens then.
    auto once = std::make_shared<QMetaObject::Connection>();
    *once = connect(this, &TimeoutsPage::configEditPlanned, this, [this, once] {
        disconnect(*once);
        showConfigPlan();
    });
    planConfigEdit(purpose, seconds);
}

void TimeoutsPage::showConfigPlan()
{
    if (!m_plannedEdit)
        return;
    const ConfigEdit &edit = *m_plannedEdit;
    if (edit.isNoop()) {
        m_lastAction = tr("%1 is already %2: nothing to write").arg(edit.setting, secondsText(edit.newValue));
        updateStatus();
        return;
    }
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Write %1?").arg(QFileInfo(edit.path).fileName()));
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(new QLabel(tr("%1: %2 → %3 (%4 at line %5). %6")
                                     .arg(edit.setting, secondsText(edit.oldValue), secondsText(edit.newValue), edit.action)
                                     .arg(edit.line)
                                     .arg(edit.effects.join(QStringLiteral("; ")))));
    auto *diff = new QPlainTextEdit(edit.diff);
    diff->setReadOnly(true);
    diff->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(diff, 1);
    auto *note = new QLabel(writesAllowed() ? tr("Written atomically (temporary file + rename, mode kept); undo restores it.")
                                            : tr("Writes are locked: tick \"Allow writes\" to make this change."));
    layout->addWidget(note);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    QPushButton *write = buttons->addButton(tr("Write"), QDialogButtonBox::AcceptRole);
    write->setEnabled(writesAllowed());
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.resize(760, 420);
    if (dialog.exec() == QDialog::Accepted)
        confirmConfigEdit();
}

void TimeoutsPage::confirmConfigEdit()
{
    if (!m_plannedEdit)
        return;
    if (!m_allowWrites->isChecked()) {
        Q_EMIT errorOccurred(tr("%1 was not written: tick \"Allow writes\" first").arg(m_plannedEdit->path));
        return;
    }
    const ConfigEdit edit = *m_plannedEdit;
    m_plannedEdit.reset();
    writeConfig(edit, false);
}

void TimeoutsPage::undoConfigEdit()
{
    if (!m_lastEdit)
        return;
    if (!m_allowWrites->isChecked()) {
        Q_EMIT errorOccurred(tr("%1 was not restored: tick \"Allow writes\" first").arg(m_lastEdit->path));
        return;
    }
    const ConfigEdit undo = ConfigEditor::undo(*m_lastEdit);
    writeConfig(undo, true);
}

void TimeoutsPage::writeConfig(const ConfigEdit &edit, bool undo)
{
    // A write touches the disk: off the GUI thread; apply() refuses when the file changed since the plan.
    auto *watcher = new QFutureWatcher<Expected<bool>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, edit, undo] {
        watcher->deleteLater();
        const Expected<bool> written = watcher->result();
        if (!written) {
            Q_EMIT errorOccurred(tr("%1 was not written: %2").arg(edit.path, written.error()));
            return;
        }
        if (undo)
            m_lastEdit.reset();
        else
            m_lastEdit = std::make_unique<ConfigEdit>(edit);
        m_lastAction = (undo ? tr("Restored %1").arg(edit.path)
                               : tr("Wrote %1: %2 %3 → %4").arg(edit.path, edit.setting, secondsText(edit.oldValue),
                                                                 secondsText(edit.newValue)));
        updateStatus();
        updateActions();
        Q_EMIT configFileWritten(edit.path);
    });
    watcher->setFuture(QtConcurrent::run([edit] { return ConfigEditor::apply(edit); }));
}

// --- audit -------------------------------------------------------------------------------------

void TimeoutsPage::runAudit()
{
    const auto index = m_model->timeoutIndex();
    const std::optional<CacheSpec> spec = m_managerRaw ? m_managerRaw->spec(CachePurpose::Data) : std::nullopt;
    if (!index || !spec || !m_worker || m_auditRunning)
        return;
    m_auditRunning = true;
    m_auditStop = std::make_shared<std::atomic_bool>(false);
    m_auditStatus->setText(tr("Reading the chart-data cache…"));
    updateActions();
    // A connection of its own for cache_keys (read-only; the page may close its worker meanwhile);
    // the cache read and the comparison run on the pool. The handle keeps an in-process cache
    // alive meanwhile.
    const MetadataUri uri = *m_uri;
    const CacheManager::Handle handle = m_managerRaw->handle(CachePurpose::Data);
    using Result = Expected<AuditReport>;
    auto *watcher = new QFutureWatcher<Result>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, index] {
        watcher->deleteLater();
        m_auditRunning = false;
        const Result report = watcher->result();
        if (!report) {
            m_auditStatus->setText(report.error());
            Q_EMIT errorOccurred(tr("Audit: %1").arg(report.error()));
        } else {
            m_auditModel->setReport(*report, index);
            m_auditStatus->setText(tr("%1 chart-data entries: %2 match, %3 mismatch, %4 unknown (rules of Superset %5)")
                                       .arg(report->chartData)
                                       .arg(report->matches)
                                       .arg(report->mismatches)
                                       .arg(report->unknown)
                                       .arg(familyId(report->family)));
        }
        updateActions();
        Q_EMIT auditFinished();
    });
    watcher->setFuture(QtConcurrent::run([uri, handle, spec = *spec, index, stop = m_auditStop]() -> Result {
        MetadataConnection connection(uri);
        QList<CacheKeyRow> keys;
        qint64 after = 0;
        // cache_keys in pages; bounded so a huge table cannot exhaust memory.
        while (keys.size() < 200000 && !stop->load()) {
            auto page = connection.call([after](MetadataDatabase &db) -> Expected<QList<CacheKeyRow>> {
                if (!db.isOpen())
                    if (auto opened = db.open(); !opened)
                        return Error{opened.error()};
                return db.cacheKeys(after, 5000);
            });
            if (!page)
                return Error{page.error()};
            keys << *page;
            if (page->size() < 5000)
                break;
            after = page->last().id;
        }
        AuditSampleSources sources;
        sources.inProcess = handle;
        sources.metadata = &connection;
        sources.metastoreUtc = index->rules().family == SupersetFamily::Master;
        sources.stop = stop.get();
        auto samples = auditSamples(spec, keys, 10000, sources);
        if (!samples)
            return Error{samples.error()};
        AuditReport report = auditChartData(*samples, keys, *index, QDateTime::currentDateTimeUtc());
        return report;
    }));
}

} // namespace cachescope
