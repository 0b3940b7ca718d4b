#include "payloadview.h"

#include "codec/decodejson.h"
#include "codec/jsonindent.h"
#include "codec/recognisers.h"
#include "codec/utf8.h"
#include "payloadtreemodel.h"
#include "resulttablemodel.h"

#include <QApplication>
#include <QButtonGroup>
#include <QClipboard>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace cachescope {

namespace {

enum Tab { TreeTab, TableTab, JsonTab, HexTab, ImageTab };

// Indents compact JSON without reordering keys or dropping a leading U+FEFF (QJsonDocument would).
QString prettyJson(const QByteArray &compact, qsizetype maxBytes = 4 << 20)
{
    return utf8::toString(indentJson(compact, 2, maxBytes));
}

QString hexDump(const QByteArray &bytes, qint64 totalSize)
{
    QString out;
    out.reserve(bytes.size() * 4);
    for (qsizetype at = 0; at < bytes.size(); at += 16) {
        QString hex, ascii;
        for (qsizetype k = at; k < at + 16; ++k) {
            if (k < bytes.size()) {
                const uchar b = uchar(bytes[k]);
                hex += QStringLiteral("%1 ").arg(b, 2, 16, QLatin1Char('0'));
                ascii += (b >= 0x20 && b < 0x7f) ? QChar(char16_t(b)) : QChar(u'.');
            } else {
                hex += QStringLiteral("   ");
            }
            if (k == at + 7)
                hex += u' ';
        }
        out += QStringLiteral("%1  %2 %3\n").arg(at, 8, 16, QLatin1Char('0')).arg(hex, ascii);
    }
    if (totalSize > bytes.size())
        out += QObject::tr("… %1 more bytes not shown\n").arg(totalSize - bytes.size());
    return out;
}

} // namespace

PayloadView::PayloadView(QWidget *parent)
    : QWidget(parent), m_watcher(new QFutureWatcher<DecodeResult>(this)), m_breadcrumb(new QWidget(this)),
      m_breadcrumbLayout(new QHBoxLayout(m_breadcrumb)), m_layerButtons(new QButtonGroup(this)), m_status(new QLabel(this)),
      m_tabs(new QTabWidget(this)), m_tree(new QTreeView(this)), m_table(new QTableView(this)), m_json(new QPlainTextEdit(this)),
      m_hex(new QPlainTextEdit(this)), m_image(new QLabel(this)), m_treeModel(new PayloadTreeModel(this)),
      m_tableModel(new ResultTableModel(this))
{
    auto *layout = new QVBoxLayout(this);
    auto *toolbar = new QToolBar(this);
    QAction *copy = toolbar->addAction(tr("Copy value as JSON"));
    QAction *csv = toolbar->addAction(tr("Export table as CSV…"));
    QAction *raw = toolbar->addAction(tr("Save raw bytes…"));
    connect(copy, &QAction::triggered, this, &PayloadView::copyValueJson);
    connect(csv, &QAction::triggered, this, &PayloadView::exportTableDialog);
    connect(raw, &QAction::triggered, this, &PayloadView::saveRawDialog);
    layout->addWidget(toolbar);
    m_breadcrumbLayout->setContentsMargins(0, 0, 0, 0);
    m_breadcrumbLayout->addStretch();
    layout->addWidget(m_breadcrumb);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    m_tree->setModel(m_treeModel);
    m_tree->setUniformRowHeights(true);
    m_table->setModel(m_tableModel);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicatorShown(true);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (QPlainTextEdit *e : {m_json, m_hex}) {
        e->setReadOnly(true);
        e->setFont(mono);
        e->setLineWrapMode(QPlainTextEdit::NoWrap);
    }
    m_image->setAlignment(Qt::AlignCenter);
    auto *imageScroll = new QScrollArea(this);
    imageScroll->setWidget(m_image);
    imageScroll->setWidgetResizable(true);
    m_tabs->addTab(m_tree, tr("Tree"));
    m_tabs->addTab(m_table, tr("Table"));
    m_tabs->addTab(m_json, tr("JSON"));
    m_tabs->addTab(m_hex, tr("Hex"));
    m_tabs->addTab(imageScroll, tr("Image"));
    layout->addWidget(m_tabs, 1);

    // What a screen reader announces for parts without a visible label of their own.
    setAccessibleName(tr("Payload"));
    setAccessibleDescription(tr("The selected entry decoded layer by layer: tree, table, JSON, hex and image views"));
    toolbar->setAccessibleName(tr("Payload actions"));
    m_breadcrumb->setAccessibleName(tr("Decoded layers"));
    m_tabs->setAccessibleName(tr("Payload views"));
    m_tree->setAccessibleName(tr("Decoded value tree"));
    m_table->setAccessibleName(tr("Decoded value table"));
    m_json->setAccessibleName(tr("Decoded value as JSON"));
    m_hex->setAccessibleName(tr("Raw bytes in hex"));
    m_image->setAccessibleName(tr("Decoded image"));
    imageScroll->setAccessibleName(tr("Decoded image"));

    connect(m_watcher, &QFutureWatcher<DecodeResult>::finished, this, &PayloadView::onDecoded);
    connect(m_tree, &QTreeView::activated, this, &PayloadView::showTableFor);
    connect(m_layerButtons, &QButtonGroup::idClicked, this, &PayloadView::selectLayer);
}

PayloadView::~PayloadView()
{
    cancel();
    m_watcher->waitForFinished(); // the worker only reads its own copy of the bytes
}

void PayloadView::setPayload(const QByteArray &raw, const DecodeHints &hints)
{
    cancel();
    m_raw = raw;
    m_cancel = std::make_shared<std::atomic_bool>(false);
    const quint64 generation = ++m_generation;
    m_status->setText(tr("Decoding %1 bytes…").arg(raw.size()));
    auto cancelFlag = m_cancel;
    m_watcher->setProperty("generation", generation);
    m_watcher->setFuture(QtConcurrent::run([raw, hints, cancelFlag] { return DecoderChain().decode(raw, hints, cancelFlag.get()); }));
}

bool PayloadView::openFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        m_status->setText(tr("Cannot open %1: %2").arg(path, f.errorString()));
        return false;
    }
    setPayload(f.readAll());
    return true;
}

void PayloadView::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

bool PayloadView::isDecoding() const
{
    // Not m_watcher->isRunning(): that turns false when the worker thread ends, before onDecoded
    // has run on this thread, and in that gap result() still holds the previous payload's.
    return m_settledGeneration != m_generation;
}

void PayloadView::onDecoded()
{
    // Results of a superseded payload are dropped (a newer setPayload started another future).
    if (m_watcher->property("generation").toULongLong() != m_generation)
        return;
    m_settledGeneration = m_generation;
    if (m_watcher->future().isCanceled())
        return;
    m_result = m_watcher->result();
    showResult();
    emit decoded(m_result.ok());
}

void PayloadView::showResult()
{
    for (QAbstractButton *b : m_layerButtons->buttons()) {
        m_layerButtons->removeButton(b);
        delete b;
    }
    // Buttons made now join the Tab chain before the views, not after the rest of the window.
    QWidget *previous = m_tabs->previousInFocusChain();
    const auto chain = [&previous](QWidget *w) {
        setTabOrder(previous, w);
        previous = w;
    };
    for (size_t i = 0; i < m_result.layers.size(); ++i) {
        const DecodeLayer &l = m_result.layers[i];
        auto *b = new QToolButton(m_breadcrumb);
        b->setText(QStringLiteral("%1 ›").arg(DecodeLayer::kindName(l.kind)));
        b->setToolTip(QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(l.notes)).toJson(QJsonDocument::Compact)));
        b->setCheckable(true);
        b->setAccessibleName(tr("Layer %1: %2").arg(i + 1).arg(DecodeLayer::kindName(l.kind)));
        m_layerButtons->addButton(b, int(i));
        m_breadcrumbLayout->insertWidget(int(i), b);
        chain(b);
    }
    auto *value = new QToolButton(m_breadcrumb);
    value->setText(m_result.ok() ? tr("value") : tr("error"));
    value->setCheckable(true);
    value->setChecked(true);
    m_layerButtons->addButton(value, -1);
    m_breadcrumbLayout->insertWidget(int(m_result.layers.size()), value);
    chain(value);
    value->setAccessibleName(m_result.ok() ? tr("Decoded value") : tr("Decode error"));
    selectLayer(-1);
}

int PayloadView::layerButtonCount() const
{
    return int(m_layerButtons->buttons().size());
}

void PayloadView::selectLayer(int layer)
{
    if (QAbstractButton *b = m_layerButtons->button(layer))
        b->setChecked(true);
    if (layer >= 0 && layer < int(m_result.layers.size())) {
        const DecodeLayer &l = m_result.layers[size_t(layer)];
        const QByteArray preview = size_t(layer) < m_result.layerPreviews.size() ? m_result.layerPreviews[size_t(layer)] : QByteArray();
        m_hex->setPlainText(hexDump(preview, l.size));
        m_status->setText(tr("Layer %1: %2, offset %3, %4 bytes %5")
                              .arg(layer).arg(DecodeLayer::kindName(l.kind)).arg(l.offset).arg(l.size)
                              .arg(QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(l.notes)).toJson(QJsonDocument::Compact))));
        m_tabs->setCurrentIndex(HexTab);
        return;
    }
    // The final value.
    m_treeModel->setResult(m_result);
    m_tree->expandToDepth(0);
    m_tree->resizeColumnToContents(0);
    m_json->setPlainText(prettyJson(DecodeJson::result(m_result, 1000)));
    m_hex->setPlainText(hexDump(m_raw.left(DecodeResult::kLayerPreviewBytes), m_raw.size()));
    m_image->clear();
    m_tableModel->clear();
    if (!m_result.ok()) {
        m_status->setText(m_result.error);
        m_tabs->setCurrentIndex(m_result.layers.empty() ? HexTab : JsonTab);
        return;
    }
    m_status->setText(m_result.shape.isEmpty() ? tr("%1 layers").arg(m_result.layers.size())
                                               : tr("%1 layers, Superset %2").arg(m_result.layers.size()).arg(m_result.shape));
    if (m_result.image) {
        QPixmap pixmap;
        if (pixmap.loadFromData(m_result.bytes))
            m_image->setPixmap(pixmap);
        else
            m_image->setText(tr("%1 %2×%3 (cannot render)").arg(m_result.image->format).arg(m_result.image->width).arg(m_result.image->height));
    }
    if (m_result.table) {
        m_tableModel->setArrowTable(m_result.table);
        m_tabs->setCurrentIndex(TableTab);
    } else if (const PyValue *df = m_result.value.kind() == PyValue::Kind::Dict ? m_result.value.get("df") : nullptr) {
        if (auto frame = Recognisers::dataFrame(*df)) {
            m_tableModel->setDataFrame(std::make_shared<const DataFrameView>(std::move(*frame)));
            m_tabs->setCurrentIndex(TableTab);
        }
    } else if (auto frame = Recognisers::dataFrame(m_result.value)) {
        m_tableModel->setDataFrame(std::make_shared<const DataFrameView>(std::move(*frame)));
        m_tabs->setCurrentIndex(TableTab);
    } else if (m_result.image) {
        m_tabs->setCurrentIndex(ImageTab);
    } else {
        m_tabs->setCurrentIndex(TreeTab);
    }
}

void PayloadView::showTableFor(const QModelIndex &treeIndex)
{
    if (m_treeModel->isArrowTable(treeIndex)) {
        m_tableModel->setArrowTable(m_treeModel->arrowTable());
        m_tabs->setCurrentIndex(TableTab);
        return;
    }
    if (auto frame = Recognisers::dataFrame(m_treeModel->valueAt(treeIndex))) {
        m_tableModel->setDataFrame(std::make_shared<const DataFrameView>(std::move(*frame)));
        m_tabs->setCurrentIndex(TableTab);
    }
}

QByteArray PayloadView::valueJson() const
{
    return DecodeJson::result(m_result, std::numeric_limits<int>::max());
}

void PayloadView::copyValueJson()
{
    QApplication::clipboard()->setText(QString::fromUtf8(valueJson()));
}

bool PayloadView::exportTableCsv(const QString &path) const
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return m_tableModel->writeCsv(&f);
}

bool PayloadView::saveRawBytes(const QString &path) const
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(m_raw) == m_raw.size();
}

void PayloadView::exportTableDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export table"), {}, tr("CSV (*.csv)"));
    if (!path.isEmpty() && !exportTableCsv(path))
        m_status->setText(tr("Cannot write %1").arg(path));
}

void PayloadView::saveRawDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save raw bytes"));
    if (!path.isEmpty() && !saveRawBytes(path))
        m_status->setText(tr("Cannot write %1").arg(path));
}

} // namespace cachescope
