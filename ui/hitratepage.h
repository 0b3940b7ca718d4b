#pragma once

#include "common/expected.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QProgressBar;
class QTableView;
class QToolButton;

namespace cachescope {

class HitRatePlot;
class HitRateSeries;
struct SeriesPoint;

// The Hit rates page: one row per cache purpose and source (current hit rate, source, exactness,
// last-minute sparkline), a chart of the selected row (hit rate %, hits/s, misses/s, sets/s) over a
// selectable window, and a server panel (memory vs maxmemory, evictions/s, expirations/s, ops/s).
// It only reads the HitRateSeries model; the sources feed the model elsewhere.
class HitRatePage : public QWidget
{
    Q_OBJECT
public:
    explicit HitRatePage(HitRateSeries *model, QWidget *parent = nullptr);
    ~HitRatePage() override;

    static QList<qint64> windowChoices(); // 60, 600, 3600, 86400 seconds
    void setWindowSeconds(qint64 seconds);
    qint64 windowSeconds() const;
    void setPaused(bool paused);
    bool isPaused() const;
    void selectRow(int row);
    int selectedRow() const;
    void setServer(const QString &server);
    QString server() const { return m_server; }

    HitRatePlot *cachePlot() const { return m_cachePlot; }
    HitRatePlot *serverPlot() const { return m_serverPlot; }
    QTableView *table() const { return m_table; }
    QString memoryText() const;

    // Exports the cache chart (.png, .pdf, .csv).
    Expected<bool> exportChart(const QString &path);

private:
    void onPointAdded(int row, const SeriesPoint &point);
    void onServerPointAdded(const QString &server, const SeriesPoint &point);
    void reloadCachePlot();
    void reloadServerPlot();
    void updateServerPanel();
    void updateTitle();
    void exportInteractively();

    HitRateSeries *m_model;
    QTableView *m_table;
    QComboBox *m_window;
    QToolButton *m_pause;
    QToolButton *m_export;
    QLabel *m_hint;
    HitRatePlot *m_cachePlot;
    HitRatePlot *m_serverPlot;
    QLabel *m_serverTitle;
    QWidget *m_serverBox;
    QProgressBar *m_memory;
    QLabel *m_serverFigures;
    QString m_server;
    int m_row = -1;
    qint64 m_lastMinute = -1;
    qint64 m_serverAwaySinceMs = 0; // the server panel's server has not answered since (0: it answers)
    qint64 m_rowAwaySinceMs = 0;    // the selected row's source has not answered since
};

} // namespace cachescope
