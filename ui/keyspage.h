#pragma once

#include <QByteArray>
#include <QModelIndex>
#include <QPointer>
#include <QWidget>

#include "browse/keysource.h"
#include "codec/decoderchain.h"

#include <functional>
#include <memory>
#include <optional>

class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;
class QAbstractItemView;
class QStackedWidget;
class QTimer;
class QToolButton;
class QTreeView;

namespace cachescope {

class KeyLabelIndex;
class KeyTreeModel;
class MessageBar;
class NamespaceListView;
class PayloadView;

// The Keys page: the namespace tree of one cache (KeyTreeModel over a KeySource) with a glob
// filter that becomes the SCAN MATCH (debounced 300 ms; an exact key opens without scanning),
// a progress bar with cancel for every scan, a padlock that enables writes for this connection
// after confirmation, and the key actions. The right pane shows the selected key's stored bytes
// in the payload view, decoded off the GUI thread. A namespace with kFlatRows rows or more is
// never expanded in the tree (QTreeView relayouts every expanded row on each insert): expanding
// it, or one that grows that large while expanded, shows it as a flat list instead.
class KeysPage : public QWidget
{
    Q_OBJECT
public:
    explicit KeysPage(QWidget *parent = nullptr);
    ~KeysPage() override;

    // The page does not own the source; cachePurpose ("DATA_CACHE_CONFIG", ...) names kinds.
    void setSource(KeySource *source, const QString &cachePurpose = {});
    KeySource *source() const { return m_source; }

    // Chart/dataset/dashboard labels and variants of the keys (KeyTreeModel::setKeyLabels); the
    // label columns show only while there are labels.
    void setKeyLabels(std::shared_ptr<const KeyLabelIndex> labels);

    KeyTreeModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    // The flat list a namespace too large for the tree is shown in (kFlatRows rows or more).
    NamespaceListView *flatView() const { return m_flat; }
    bool isShowingFlat() const;
    void showFlat(const QModelIndex &ns);
    void showTree();
    static constexpr int kFlatRows = 20000;
    QLineEdit *filterEdit() const { return m_filter; }
    PayloadView *payloadView() const { return m_payload; }
    QToolButton *padlock() const { return m_padlock; }
    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *refreshButton() const { return m_refresh; }
    MessageBar *messageBar() const { return m_messages; }
    QString statusText() const;
    QByteArray currentKey() const;

    // Confirmation and TTL prompts (dialogs by default; tests replace them).
    void setConfirmHandler(std::function<bool(const QString &)> confirm) { m_confirm = std::move(confirm); }
    void setTtlPrompt(std::function<std::optional<qint64>()> prompt) { m_askTtl = std::move(prompt); }

    // Actions (also on the toolbar and the context menu).
    // Scans again from the start, keeping the filter (F5 through the window's Refresh).
    void refresh();
    void loadAll();
    void cancelScan();
    // Scans again from the start with the current filter (View → Refresh keys).
    void rescan();
    void deleteSelected();
    void setTtlOfSelected();
    void removeTtlOfSelected();
    void copyKey();
    void copyValueAsJson();
    // Writes the selected keys (or every loaded key under selected namespaces) with metadata.
    bool exportSelection(const QString &path, bool json);

Q_SIGNALS:
    // The selected key's raw stored bytes arrived (for the payload view).
    void valueShown(const QByteArray &key, const QByteArray &value);

private:
    void applyFilter();
    void showLabelColumns(bool shown);
    void onSelectionChanged();
    void requestVisibleMetadata();
    void onPadlockToggled(bool on);
    void updateStatus();
    void updateActions();
    void showContextMenu(const QPoint &pos);
    QList<QByteArray> selectedKeys() const;
    QModelIndexList selectedRows() const;
    bool confirm(const QString &question);
    bool requireWrites();
    DecodeHints decodeHints() const;
    void updatePadlock();
    QAbstractItemView *activeView() const;
    void switchToFlatIfLarge(const QModelIndex &ns);
    void onStaleChanged(bool stale);
    void onKeyspaceReplaced();
    // Errors that came while the server was away are caused by that: they go when it is back.
    QString errorCause(const QString &kind) const;

    QPointer<KeySource> m_source;
    QString m_cachePurpose;
    KeyTreeModel *m_model;
    MessageBar *m_messages;
    QLineEdit *m_filter;
    QTimer *m_filterDebounce;
    QTimer *m_metaDebounce;
    QTreeView *m_view;
    NamespaceListView *m_flat;
    QStackedWidget *m_views;
    QPushButton *m_refresh;
    QPushButton *m_loadAll;
    QPushButton *m_cancel;
    QToolButton *m_padlock;
    QToolButton *m_actionsButton;
    QMenu *m_actions;
    QProgressBar *m_progress;
    QLabel *m_status;
    QLabel *m_previewTitle;
    PayloadView *m_payload;
    quint64 m_valueRequest = 0;
    quint64 m_exactRequest = 0;
    quint64 m_writeRequest = 0;
    QByteArray m_previewKey;
    QByteArray m_previewValue;
    std::function<void()> m_afterWrite;
    std::function<bool(const QString &)> m_confirm;
    std::function<std::optional<qint64>()> m_askTtl;
};

} // namespace cachescope
