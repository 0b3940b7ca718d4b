#pragma once

#include "config/configloader.h"
#include "config/configreport.h"

#include <QHash>
#include <QStringList>
#include <QTextEdit>
#include <QWidget>

class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPlainTextEdit;
class QThreadPool;
class QTimer;
class QTreeWidget;

namespace cachescope {

class MessageBar;
class PythonHighlighter;

// The Config page: a superset_config.py with syntax highlighting, each cache's resolved spec, the
// doctor's findings (activating one selects its span in the source) and the environment variables
// the file reads but that are unset, as fields. Typing re-evaluates off the GUI thread; a result
// that arrives after a newer request started is dropped.
class ConfigPage : public QWidget
{
    Q_OBJECT
public:
    explicit ConfigPage(QWidget *parent = nullptr);
    ~ConfigPage() override;

    // Reads and evaluates a file; remembers it as the last opened config.
    bool openFile(const QString &path);
    // Evaluates text as if it were the named file (siblings are looked up beside it).
    void setSource(const QString &source, const QString &fileName);
    // The environment the file sees before the user's own values (the process environment by default).
    void setBaseEnvironment(const QHash<QString, QString> &environment);
    // A value typed for an environment variable (same as editing its field).
    void setEnvironmentValue(const QString &name, const QString &value);

    const ConfigReport &report() const { return m_report; }
    // The environment (base values plus the user's) the file is evaluated with, as the loader
    // takes it: a config editor plans its change with the same values.
    ConfigLoader::Options loaderOptions() const;
    int evaluationCount() const { return m_evaluations; }
    static QString lastFile();

signals:
    // A fresh report is shown (stale evaluations never emit).
    void evaluated();

private:
    void evaluate();
    void showReport(const ConfigReport &report);
    void fillCaches();
    void fillFindings();
    void fillEnvironment();
    void jumpTo(QListWidgetItem *item);
    QList<QTextEdit::ExtraSelection> findingMarkers() const;
    void chooseFile();

    QPlainTextEdit *m_source;
    PythonHighlighter *m_highlighter;
    QTreeWidget *m_caches;
    QListWidget *m_findings;
    QWidget *m_envBox;
    QFormLayout *m_envForm;
    QLabel *m_status;
    MessageBar *m_message;
    QTimer *m_debounce;
    QThreadPool *m_pool;

    QString m_fileName;
    QString m_text;
    QHash<QString, QString> m_base;
    QHash<QString, QString> m_overrides;     // values typed by the user
    QStringList m_envNames;                  // fields shown, in first-read order
    QHash<QString, QLineEdit *> m_envFields;
    quint64 m_generation = 0;                // last evaluation requested
    int m_evaluations = 0;                   // evaluations shown
    ConfigReport m_report;
};

} // namespace cachescope
