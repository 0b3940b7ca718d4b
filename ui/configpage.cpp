#include "configpage.h"

#include "config/configjson.h"
#include "config/configloader.h"
#include "messagebar.h"
#include "pythonhighlighter.h"

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QTextBlock>
#include <QThreadPool>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace cachescope {

namespace {
const char kLastFileKey[] = "config/lastFile";
constexpr int kSpanRole = Qt::UserRole + 1;
} // namespace

ConfigPage::ConfigPage(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    m_message = new MessageBar(this);
    m_message->hide();
    layout->addWidget(m_message);

    auto *top = new QHBoxLayout;
    auto *open = new QPushButton(tr("Open config…"), this);
    open->setObjectName(QStringLiteral("openConfigButton"));
    connect(open, &QPushButton::clicked, this, &ConfigPage::chooseFile);
    m_status = new QLabel(tr("No config loaded"), this);
    m_status->setObjectName(QStringLiteral("configStatus"));
    top->addWidget(open);
    top->addWidget(m_status, 1);
    layout->addLayout(top);

    auto *split = new QSplitter(Qt::Horizontal, this);
    m_source = new QPlainTextEdit(split);
    m_source->setObjectName(QStringLiteral("configSource"));
    m_source->setReadOnly(true);
    m_source->setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_source->setFont(mono);
    m_highlighter = new PythonHighlighter(m_source->document());

    auto *right = new QSplitter(Qt::Vertical, split);
    m_caches = new QTreeWidget(right);
    m_caches->setObjectName(QStringLiteral("configCaches"));
    m_caches->setHeaderLabels({tr("Cache / setting"), tr("Value"), tr("Line")});
    m_caches->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_findings = new QListWidget(right);
    m_findings->setObjectName(QStringLiteral("configFindings"));
    // Findings are sentences: wrap them instead of clipping the explanation at the pane's edge.
    m_findings->setWordWrap(true);
    m_findings->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    connect(m_findings, &QListWidget::itemActivated, this, &ConfigPage::jumpTo);
    connect(m_findings, &QListWidget::itemClicked, this, &ConfigPage::jumpTo);
    connect(m_caches, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        const QVariant span = item->data(0, kSpanRole);
        if (!span.isValid())
            return;
        auto *tmp = new QListWidgetItem;
        tmp->setData(kSpanRole, span);
        jumpTo(tmp);
        delete tmp;
    });

    auto *scroll = new QScrollArea(right);
    scroll->setWidgetResizable(true);
    m_envBox = new QWidget(scroll);
    m_envBox->setObjectName(QStringLiteral("configEnvironment"));
    m_envForm = new QFormLayout(m_envBox);
    scroll->setWidget(m_envBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    // For screen readers: what the page is for, and names for what has no visible label.
    setAccessibleName(tr("Config"));
    setAccessibleDescription(tr("What a superset_config.py really configures: its source, the caches it resolves to, "
                                "the doctor's findings and the environment variables it reads"));
    m_source->setAccessibleName(tr("Config source"));
    m_caches->setAccessibleName(tr("Resolved caches"));
    m_findings->setAccessibleName(tr("Findings"));
    scroll->setAccessibleName(tr("Unset environment variables"));

    // Own pool: a known stack size for the evaluator's bounded recursion, whatever the platform default.
    m_pool = new QThreadPool(this);
    m_pool->setStackSize(16u * 1024 * 1024);
    m_pool->setMaxThreadCount(2);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250);
    connect(m_debounce, &QTimer::timeout, this, &ConfigPage::evaluate);

    const QProcessEnvironment pe = QProcessEnvironment::systemEnvironment();
    for (const QString &k : pe.keys())
        m_base.insert(k, pe.value(k));
}

ConfigPage::~ConfigPage()
{
    // Running evaluations finish first; their results go nowhere.
    m_pool->waitForDone();
}

QString ConfigPage::lastFile()
{
    return QSettings().value(QLatin1String(kLastFileKey)).toString();
}

bool ConfigPage::openFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        m_message->showMessage(tr("Cannot open %1: %2").arg(path, f.errorString()), MessageBar::Level::Error);
        m_message->show();
        return false;
    }
    const qint64 limit = py::Evaluator::Options{}.maxFileBytes;
    if (f.size() > limit) {
        m_message->showMessage(tr("%1 is %2 bytes, more than a config file can be (%3)").arg(path, QString::number(f.size()), QString::number(limit)),
                               MessageBar::Level::Error);
        m_message->show();
        return false;
    }
    QSettings().setValue(QLatin1String(kLastFileKey), QFileInfo(path).absoluteFilePath());
    m_overrides.clear();
    m_envNames.clear();
    setSource(QString::fromUtf8(f.readAll()), QFileInfo(path).absoluteFilePath());
    return true;
}

void ConfigPage::setSource(const QString &source, const QString &fileName)
{
    m_text = source;
    m_fileName = fileName;
    m_source->setPlainText(source);
    m_status->setText(tr("Evaluating %1…").arg(QFileInfo(fileName).fileName()));
    evaluate();
}

void ConfigPage::setBaseEnvironment(const QHash<QString, QString> &environment)
{
    m_base = environment;
    if (!m_fileName.isEmpty() || !m_text.isEmpty())
        evaluate();
}

void ConfigPage::setEnvironmentValue(const QString &name, const QString &value)
{
    m_overrides.insert(name, value);
    if (QLineEdit *e = m_envFields.value(name); e && e->text() != value)
        e->setText(value);
    m_debounce->start();
}

void ConfigPage::chooseFile()
{
    const QString start = lastFile().isEmpty() ? QString() : QFileInfo(lastFile()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open superset_config.py"), start, tr("Python files (*.py);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void ConfigPage::evaluate()
{
    m_debounce->stop();
    const quint64 generation = ++m_generation;
    const ConfigLoader::Options options = loaderOptions();
    const QString source = m_text, fileName = m_fileName;
    // Evaluation may take up to its step budget: never on the GUI thread.
    auto *watcher = new QFutureWatcher<ConfigReport>(this);
    QPointer<ConfigPage> self(this);
    connect(watcher, &QFutureWatcher<ConfigReport>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return; // a newer evaluation was requested: this result is stale
        showReport(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run(m_pool, [source, fileName, options] { return ConfigLoader::loadSource(source, fileName, options); }));
}

ConfigLoader::Options ConfigPage::loaderOptions() const
{
    ConfigLoader::Options options;
    options.environment = m_base;
    for (auto it = m_overrides.begin(); it != m_overrides.end(); ++it)
        options.environment.insert(it.key(), it.value());
    return options;
}

void ConfigPage::showReport(const ConfigReport &report)
{
    m_report = report;
    ++m_evaluations;
    m_status->setText(report.loaded ? tr("%1 loaded").arg(QFileInfo(m_fileName).fileName())
                                    : tr("%1 could not be loaded: %2").arg(QFileInfo(m_fileName).fileName(), ConfigJson::maskUrlPassword(report.error)));
    if (!report.loaded) {
        m_message->showMessage(ConfigJson::maskUrlPassword(report.error), MessageBar::Level::Error);
        m_message->show();
    } else {
        m_message->hide();
    }
    fillCaches();
    fillFindings();
    fillEnvironment();
    m_source->setExtraSelections(findingMarkers());
    emit evaluated();
}

void ConfigPage::fillCaches()
{
    m_caches->clear();
    for (const CacheSpec &s : std::as_const(m_report.caches)) {
        auto *item = new QTreeWidgetItem(m_caches);
        item->setText(0, purposeConfigName(s.purpose));
        item->setText(1, backendTypeName(s.backend) + QStringLiteral("  ") + s.displayLocation());
        const SourceSpan where = s.spans.value(purposeConfigName(s.purpose));
        if (where.isValid()) {
            item->setText(2, QString::number(where.line));
            item->setData(0, kSpanRole, QVariant::fromValue(QList<int>{where.line, where.column, where.endLine, where.endColumn}));
        } else {
            item->setText(2, tr("default"));
        }
        auto add = [&](const QString &key, const QString &value) {
            auto *child = new QTreeWidgetItem(item);
            child->setText(0, key);
            child->setText(1, value);
            const SourceSpan sp = s.spans.value(key);
            if (sp.isValid()) {
                child->setText(2, QString::number(sp.line));
                child->setData(0, kSpanRole, QVariant::fromValue(QList<int>{sp.line, sp.column, sp.endLine, sp.endColumn}));
            }
        };
        add(QStringLiteral("CACHE_TYPE"), s.backendSpelling);
        add(QStringLiteral("CACHE_DEFAULT_TIMEOUT"), s.defaultTimeout == 0 ? tr("0 (never expires)") : tr("%1 s").arg(s.defaultTimeout));
        if (!s.keyPrefix.isEmpty() || s.backend == BackendType::Redis)
            add(QStringLiteral("CACHE_KEY_PREFIX"), QString::fromUtf8(s.keyPrefix));
        if (s.backend == BackendType::Redis || s.backend == BackendType::RedisSentinel) {
            add(QStringLiteral("CACHE_REDIS_HOST"), s.host);
            add(QStringLiteral("CACHE_REDIS_PORT"), QString::number(s.port));
            add(QStringLiteral("CACHE_REDIS_DB"), QString::number(s.db));
            if (!s.password.isEmpty())
                add(QStringLiteral("CACHE_REDIS_PASSWORD"), QStringLiteral("***"));
            if (!s.redisUrl.isEmpty())
                add(QStringLiteral("CACHE_REDIS_URL"), ConfigJson::maskUrlPassword(s.redisUrl));
            if (s.tls.enabled)
                add(QStringLiteral("TLS"), s.tls.summary());
            if (!s.sentinelPassword.isEmpty())
                add(QStringLiteral("CACHE_REDIS_SENTINEL_PASSWORD"), QStringLiteral("***"));
        }
        if (s.backend == BackendType::FileSystem) {
            add(QStringLiteral("CACHE_DIR"), s.directory);
            add(QStringLiteral("CACHE_THRESHOLD"), QString::number(s.threshold));
        }
        if (s.purpose == CachePurpose::Results)
            add(QStringLiteral("RESULTS_BACKEND_USE_MSGPACK"), s.useMsgpack ? QStringLiteral("True") : QStringLiteral("False"));
    }
    m_caches->expandAll();
}

void ConfigPage::fillFindings()
{
    m_findings->clear();
    for (const auto &d : m_report.diagnostics) {
        if (!d.file.isEmpty())
            continue; // in a sibling file: not in the shown source
        const QString where = d.span.isValid() ? tr("line %1").arg(d.span.line) : tr("(not in the file)");
        auto *item = new QListWidgetItem(QStringLiteral("%1  %2: %3").arg(d.severity, where, ConfigJson::maskUrlPassword(d.message)), m_findings);
        item->setData(Qt::UserRole, d.code);
        if (d.span.isValid())
            item->setData(kSpanRole, QVariant::fromValue(QList<int>{d.span.line, d.span.column, d.span.endLine, d.span.endColumn}));
        item->setToolTip(d.code);
        item->setForeground(d.severity == u"error" ? QColor(0xb0, 0x00, 0x20) : d.severity == u"warning" ? QColor(0x9a, 0x60, 0x00) : QColor(0x44, 0x44, 0x44));
    }
}

void ConfigPage::fillEnvironment()
{
    // Variables the file read but that were unset, plus those the user has typed; first-read order.
    for (const py::EnvRead &r : m_report.unsetEnvironment())
        if (!m_envNames.contains(r.name))
            m_envNames << r.name;
    for (auto it = m_overrides.begin(); it != m_overrides.end(); ++it)
        if (!m_envNames.contains(it.key()))
            m_envNames << it.key();
    for (const QString &name : std::as_const(m_envNames)) {
        if (m_envFields.contains(name))
            continue;
        auto *edit = new QLineEdit(m_envBox);
        edit->setObjectName(QStringLiteral("env_") + name);
        for (const py::EnvRead &r : m_report.envReads)
            if (r.name == name && r.hasDefault) {
                edit->setPlaceholderText(tr("unset (default %1)").arg(r.defaultRepr));
                break;
            }
        if (edit->placeholderText().isEmpty())
            edit->setPlaceholderText(tr("unset"));
        if (ConfigJson::isSecretName(name))
            edit->setEchoMode(QLineEdit::Password);
        edit->setText(m_overrides.value(name));
        connect(edit, &QLineEdit::textEdited, this, [this, name](const QString &text) {
            m_overrides.insert(name, text);
            m_debounce->start();
        });
        // Tab reaches a field added later where it is shown, not after the rest of the window.
        QWidget *previous = m_findings;
        if (const int rows = m_envForm->rowCount(); rows > 0)
            if (QLayoutItem *field = m_envForm->itemAt(rows - 1, QFormLayout::FieldRole); field && field->widget())
                previous = field->widget();
        setTabOrder(previous, edit);
        m_envForm->addRow(name, edit);
        m_envFields.insert(name, edit);
    }
}

QList<QTextEdit::ExtraSelection> ConfigPage::findingMarkers() const
{
    // Every finding is underlined at its span in the source (wavy red for errors, orange otherwise).
    QList<QTextEdit::ExtraSelection> marks;
    QTextDocument *doc = m_source->document();
    for (const auto &d : m_report.diagnostics) {
        if (!d.file.isEmpty() || !d.span.isValid())
            continue;
        const QTextBlock start = doc->findBlockByNumber(d.span.line - 1);
        if (!start.isValid())
            continue;
        QTextCursor c(start);
        c.setPosition(start.position() + std::clamp(d.span.column - 1, 0, std::max(0, start.length() - 1)));
        const QTextBlock end = doc->findBlockByNumber(std::max(d.span.endLine, d.span.line) - 1);
        int endPos = end.isValid() ? end.position() + std::clamp(d.span.endColumn - 1, 0, std::max(0, end.length() - 1)) : c.position();
        if (endPos <= c.position())
            endPos = start.position() + std::max(0, start.length() - 1);
        c.setPosition(endPos, QTextCursor::KeepAnchor);
        QTextEdit::ExtraSelection mark;
        mark.cursor = c;
        mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        mark.format.setUnderlineColor(d.severity == u"error" ? QColor(0xd0, 0x00, 0x20) : QColor(0xe0, 0x90, 0x00));
        mark.format.setToolTip(ConfigJson::maskUrlPassword(d.message));
        marks << mark;
    }
    return marks;
}

void ConfigPage::jumpTo(QListWidgetItem *item)
{
    const QList<int> span = item->data(kSpanRole).value<QList<int>>();
    if (span.size() != 4 || span[0] <= 0)
        return;
    QTextDocument *doc = m_source->document();
    const QTextBlock startBlock = doc->findBlockByNumber(span[0] - 1);
    if (!startBlock.isValid())
        return;
    QTextCursor c(startBlock);
    c.setPosition(startBlock.position() + std::min(span[1] - 1, startBlock.length() - 1));
    const QTextBlock endBlock = doc->findBlockByNumber(std::max(span[2], span[0]) - 1);
    if (endBlock.isValid() && span[2] > 0) {
        const int endPos = endBlock.position() + std::min(std::max(span[3] - 1, 0), endBlock.length() - 1);
        if (endPos > c.position())
            c.setPosition(endPos, QTextCursor::KeepAnchor);
    }
    m_source->setTextCursor(c);
    m_source->centerCursor();
    QTextEdit::ExtraSelection mark;
    mark.cursor = c;
    mark.format.setBackground(QColor(0xff, 0xf0, 0xb3));
    m_source->setExtraSelections(findingMarkers() << mark);
}

} // namespace cachescope
