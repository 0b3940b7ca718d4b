#include "guidedtour.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScreen>
#include <QVBoxLayout>

namespace cachescope {

namespace {

// The tour's words: the question a page answers, then what to try in the demo.
QString tourText(MainWindow::Page page)
{
    switch (page) {
    case MainWindow::Page::Overview:
        return GuidedTour::tr("<b>Are my caches hitting?</b> One row per Superset cache — chart data, filter state, "
                              "explore form data, thumbnails, SQL Lab results — with live hits, misses and the hit "
                              "rate.<br><br>Try it: the demo's knobs at the bottom drive a synthetic workload. Raise "
                              "<i>Users</i> or lower <i>Skew</i> and watch the bars move.");
    case MainWindow::Page::Keys:
        return GuidedTour::tr("<b>What is in a cache?</b> Pick a connection on the left; its keys group by namespace "
                              "and load as you scroll. Select a key to decode its value layer by layer — pickles are "
                              "read, never run.<br><br>Every connection opens read-only; the padlock unlocks writes for "
                              "one connection after asking.");
    case MainWindow::Page::HitRates:
        return GuidedTour::tr("<b>When did it stop hitting?</b> The chart follows the selected cache over the chosen "
                              "time window, with hits, misses and sets per second.<br><br>Try it: lower the demo's "
                              "<i>Timeout</i> or <i>Threshold</i> and the rate responds within seconds.");
    case MainWindow::Page::Config:
        return GuidedTour::tr("<b>What does my superset_config.py really configure?</b> The demo's config, read "
                              "without running it, the caches it resolves to and the doctor's findings; select a "
                              "finding to see its line.<br><br>Open your own with File → Open config (Ctrl+O).");
    case MainWindow::Page::Timeouts:
        return GuidedTour::tr("<b>How long do entries live?</b> Each cache's default timeout and the databases, "
                              "datasets and charts that override it, with the rule that picked the timeout a chart "
                              "really gets.");
    default: // a page the tour was not written for
        return {};
    }
}

} // namespace

GuidedTour::GuidedTour(MainWindow *window)
    : QDialog(window)
    , m_window(window)
    , m_heading(new QLabel(this))
    , m_text(new QLabel(this))
    , m_back(new QPushButton(tr("&Back"), this))
    , m_next(new QPushButton(tr("&Next"), this))
{
    setWindowTitle(tr("Guided tour — CacheScope"));
    setObjectName(QStringLiteral("guidedTour"));
    setAccessibleName(tr("Guided tour"));
    setModal(false); // the window stays usable: the tour invites turning the demo's knobs
    setAttribute(Qt::WA_DeleteOnClose);

    // The pages in the order the window lists them (Ctrl+1..N), so a page added later is toured too.
    m_pages = window->pageOrder();

    QFont headingFont = m_heading->font();
    headingFont.setBold(true);
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.2);
    m_heading->setFont(headingFont);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::RichText);
    m_text->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_text->setMinimumHeight(m_text->fontMetrics().height() * 8);

    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_back, QDialogButtonBox::ActionRole);
    buttons->addButton(m_next, QDialogButtonBox::ActionRole);
    buttons->addButton(QDialogButtonBox::Close);
    m_next->setDefault(true);
    connect(m_back, &QPushButton::clicked, this, &GuidedTour::back);
    connect(m_next, &QPushButton::clicked, this, &GuidedTour::next);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_heading);
    layout->addWidget(m_text, 1);
    layout->addWidget(buttons);
    setMinimumWidth(fontMetrics().horizontalAdvance(QLatin1Char('x')) * 48);
    setMaximumWidth(fontMetrics().horizontalAdvance(QLatin1Char('x')) * 64);
    setTabOrder(m_next, m_back);

    goToStep(0);
}

QString GuidedTour::stepText() const
{
    return m_text->text();
}

void GuidedTour::goToStep(int index)
{
    if (m_pages.isEmpty() || !m_window)
        return;
    m_step = std::clamp(index, 0, int(m_pages.size()) - 1);
    const MainWindow::Page page = m_pages[m_step];
    m_window->showPage(page);
    QString text = tourText(page);
    if (text.isEmpty()) // a page the tour was not written for: its own description
        text = m_window->page(page)->accessibleDescription().toHtmlEscaped();
    m_heading->setText(tr("%1 of %2: %3").arg(m_step + 1).arg(m_pages.size()).arg(m_window->pageTitle(page)));
    m_text->setText(text);
    m_back->setEnabled(m_step > 0);
    const bool last = m_step == m_pages.size() - 1;
    m_next->setText(last ? tr("&Finish") : tr("&Next"));
    m_next->setAccessibleDescription(last ? tr("Ends the tour") : tr("Shows the next page"));
}

void GuidedTour::next()
{
    if (m_step == m_pages.size() - 1)
        accept();
    else
        goToStep(m_step + 1);
}

void GuidedTour::back()
{
    goToStep(m_step - 1);
}

} // namespace cachescope
