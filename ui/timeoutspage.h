#pragma once

#include "config/configloader.h"
#include "metadata/metadatatypes.h"
#include "metadata/metadataworker.h"
#include "timeouts/timeouttable.h"

#include <QPointer>
#include <QString>
#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTabWidget;
class QTextBrowser;
class QTimer;
class QTreeView;

namespace cachescope {

class CacheManager;

struct MetadataUri;
class TimeoutAuditModel;
class TimeoutFilterProxy;
class TimeoutModel;
struct ConfigEdit;
struct ConfigReport;

// The Timeouts page: every cache purpose's default timeout and every database, dataset and chart
// of Superset's metadata database with its own cache_timeout, the effective chart-data timeout
// under a release family, the link that supplied it and the family's pitfalls; a detail pane with
// the chain step by step; editors; and the configured-vs-actual audit of the chart-data cache.
//
// Safe by default: the metadata database opens read-only and the config file is never written
// until "Allow writes" is ticked (per connection; a new database starts locked again). Every edit
// shows its effect first (the charts whose effective timeout changes; the file's diff) and runs
// only after the user confirms; a config edit can be undone. Database work runs on the
// MetadataWorker's thread, file and cache reads on a thread pool: the GUI thread never waits.
class TimeoutsPage : public QWidget
{
    Q_OBJECT
public:
    explicit TimeoutsPage(QWidget *parent = nullptr);
    ~TimeoutsPage() override;

    // A superset_config.py as the Config page evaluated it (with the environment it used, so a
    // config edit plans with the same values): its caches, the chain's settings and, unless the
    // user named one, its SQLALCHEMY_DATABASE_URI.
    void setConfigReport(const ConfigReport &report, const ConfigLoader::Options &options);
    // The embedded demo: its config's timeouts and its own metadata database (a SQLite file).
    void setDemo(const TimeoutConfig &config, const QList<CacheTimeoutRow> &caches, const QString &metadataFile);
    // The caches the window shows (not owned): the audit reads the chart-data cache through it.
    void setCacheManager(CacheManager *manager);
    // Opens a metadata database by SQLAlchemy URI (read-only); an empty URI closes it.
    void openMetadata(const QString &uri);
    // nullopt: guess from the schema's alembic revision.
    void setFamilyChoice(std::optional<SupersetFamily> family);

    TimeoutModel *model() const { return m_model; }
    TimeoutFilterProxy *proxy() const { return m_proxy; }
    TimeoutAuditModel *auditModel() const { return m_auditModel; }
    QTreeView *tree() const { return m_tree; }
    MetadataWorker *metadataWorker() const { return m_worker; }
    // The open metadata database (nullptr when none), for readers with a connection of their own.
    const MetadataUri *metadataUri() const { return m_uri.get(); }
    QString statusText() const;
    QString detailText() const;
    QString auditText() const;
    bool writesAllowed() const;
    void setWritesAllowed(bool allowed);

    // The editors without their dialogs (tests and the dialogs call these). A plan is shown,
    // then confirmed: confirmMetadataEdit/confirmConfigEdit run the previewed change.
    QString previewMetadataEdit(MetadataKind kind, qint64 id, std::optional<qint64> seconds, QString *error = nullptr);
    bool confirmMetadataEdit(MetadataKind kind, qint64 id, std::optional<qint64> seconds);
    // Plans a cache purpose's default timeout in the config file (off the GUI thread; ready
    // with configEditPlanned or an error).
    void planConfigEdit(CachePurpose purpose, std::optional<qint64> seconds);
    const ConfigEdit *plannedConfigEdit() const { return m_plannedEdit.get(); }
    void confirmConfigEdit();
    void undoConfigEdit();
    bool canUndoConfigEdit() const { return m_lastEdit != nullptr; }
    // Runs the audit of the chart-data cache (off the GUI thread; auditFinished when done).
    void runAudit();

Q_SIGNALS:
    void errorOccurred(const QString &message);
    void snapshotLoaded();
    void metadataChanged(const cachescope::TimeoutChange &change);
    void configEditPlanned();
    // The config file was rewritten (an edit or its undo): the Config page reloads it.
    void configFileWritten(const QString &path);
    void auditFinished();

private:
    void buildUi();
    void reload();
    void updateDetail();
    void updateStatus();
    void updateActions();
    void applyFamilyChoice();
    void editSelected();
    void editMetadataInteractively(MetadataKind kind, qint64 id);
    void editCacheInteractively(CachePurpose purpose);
    void showConfigPlan();
    void writeConfig(const ConfigEdit &edit, bool undo);

    TimeoutModel *m_model;
    TimeoutFilterProxy *m_proxy;
    TimeoutAuditModel *m_auditModel;
    QPointer<MetadataWorker> m_worker;
    std::unique_ptr<MetadataUri> m_uri; // the worker's database, for the audit's own connection
    CacheManager *m_managerRaw = nullptr;

    QTabWidget *m_tabs;
    QTreeView *m_tree;
    QTextBrowser *m_detail;
    QLineEdit *m_uriEdit;
    QComboBox *m_family;
    QLineEdit *m_search;
    QComboBox *m_filter;
    QCheckBox *m_allowWrites;
    QPushButton *m_editButton;
    QPushButton *m_undoButton;
    QLabel *m_status;
    QTimer *m_searchDebounce;
    QTableView *m_auditView;
    QPushButton *m_auditButton;
    QLabel *m_auditStatus;

    QString m_configFile;        // empty for the demo
    ConfigLoader::Options m_loaderOptions;
    QString m_configUri;         // the config's SQLALCHEMY_DATABASE_URI (or the demo's file)
    bool m_userUri = false;      // the user typed a URI: a new config does not replace it
    std::optional<SupersetFamily> m_familyChoice;
    QString m_familyReason;
    QString m_loadError;
    QString m_lastAction;        // the last write, said in the status line
    quint64 m_snapshotRequest = 0;
    quint64 m_editRequest = 0;
    bool m_loading = false;
    std::unique_ptr<ConfigEdit> m_plannedEdit;
    std::unique_ptr<ConfigEdit> m_lastEdit; // the last write, for undo
    std::shared_ptr<std::atomic_bool> m_auditStop;
    bool m_auditRunning = false;
};

} // namespace cachescope
