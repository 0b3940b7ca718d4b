#pragma once

#include "codec/decoderchain.h"

#include <QFutureWatcher>
#include <QWidget>

#include <atomic>
#include <memory>

class QButtonGroup;
class QHBoxLayout;
class QLabel;
class QPlainTextEdit;
class QTabWidget;
class QTableView;
class QTreeView;

namespace cachescope {

class PayloadTreeModel;
class ResultTableModel;

// Shows one cache entry, all layers deep: a breadcrumb of the layers (click one for its bytes and
// notes), a tree of the value, a table for DataFrames and Arrow results (lazy rows, typed
// headers, sortable), pretty JSON, a hex view and an image view; copy/export actions. Decoding
// runs on a worker thread and can be cancelled; a newer payload supersedes an older one.
class PayloadView : public QWidget
{
    Q_OBJECT

public:
    explicit PayloadView(QWidget *parent = nullptr);
    ~PayloadView() override;

    void setPayload(const QByteArray &raw, const DecodeHints &hints = {});
    // File -> Open payload...: a dumped entry or a FileSystemCache file.
    bool openFile(const QString &path);
    void cancel();
    bool isDecoding() const;
    const DecodeResult &result() const { return m_result; }

    // Test/automation hooks.
    QTabWidget *tabs() const { return m_tabs; }
    QTreeView *treeView() const { return m_tree; }
    QTableView *tableView() const { return m_table; }
    int layerButtonCount() const;
    void selectLayer(int layer); // -1 = the final value

    QByteArray valueJson() const;
    bool exportTableCsv(const QString &path) const;
    bool saveRawBytes(const QString &path) const;

signals:
    void decoded(bool ok);

private:
    void onDecoded();
    void showResult();
    void showTableFor(const QModelIndex &treeIndex);
    void copyValueJson();
    void exportTableDialog();
    void saveRawDialog();

    QByteArray m_raw;
    DecodeResult m_result;
    std::shared_ptr<std::atomic_bool> m_cancel;
    QFutureWatcher<DecodeResult> *m_watcher;
    quint64 m_generation = 0;
    quint64 m_settledGeneration = 0; // the last generation whose decode came back to this thread

    QWidget *m_breadcrumb;
    QHBoxLayout *m_breadcrumbLayout;
    QButtonGroup *m_layerButtons;
    QLabel *m_status;
    QTabWidget *m_tabs;
    QTreeView *m_tree;
    QTableView *m_table;
    QPlainTextEdit *m_json;
    QPlainTextEdit *m_hex;
    QLabel *m_image;
    PayloadTreeModel *m_treeModel;
    ResultTableModel *m_tableModel;
};

} // namespace cachescope
