#include "aboutdialog.h"

#include "icons.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace cachescope {

AboutDialog::AboutDialog(const QString &version, const QList<QPair<QString, QString>> &components, QWidget *parent)
    : QDialog(parent)
    , m_version(version)
    , m_components(components)
{
    setWindowTitle(tr("About CacheScope"));
    setObjectName(QStringLiteral("aboutDialog"));

    auto *icon = new QLabel(this);
    const int side = fontMetrics().height() * 5;
    icon->setPixmap(applicationIcon().pixmap(QSize(side, side), devicePixelRatioF()));
    icon->setAlignment(Qt::AlignTop);
    icon->setAccessibleName(tr("CacheScope icon"));

    auto *title = new QLabel(tr("<h2>CacheScope %1</h2>").arg(version.toHtmlEscaped()), this);
    auto *blurb = new QLabel(tr("What Apache Superset's Flask-Caching caches hold, whether they hit, and why.<br>"
                                "Reads superset_config.py without running it; opens caches read-only; decodes "
                                "entries without executing pickles."),
                             this);
    blurb->setWordWrap(true);

    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight);
    for (const auto &[name, value] : components) {
        auto *v = new QLabel(value.toHtmlEscaped(), this);
        v->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        v->setObjectName(QStringLiteral("version:") + name);
        form->addRow(tr("%1:").arg(name), v);
    }

    auto *text = new QVBoxLayout;
    text->addWidget(title);
    text->addWidget(blurb);
    text->addSpacing(fontMetrics().height() / 2);
    text->addLayout(form);
    text->addStretch(1);

    auto *top = new QHBoxLayout;
    top->addWidget(icon);
    top->addSpacing(fontMetrics().height());
    top->addLayout(text, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *copy = buttons->addButton(tr("&Copy versions"), QDialogButtonBox::ActionRole);
    copy->setToolTip(tr("For a bug report"));
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(versionsText()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(buttons);
    setMinimumWidth(fontMetrics().horizontalAdvance(QLatin1Char('x')) * 70);
}

QString AboutDialog::versionsText() const
{
    QString text = QStringLiteral("CacheScope %1\n").arg(m_version);
    for (const auto &[name, value] : m_components)
        text += name + QStringLiteral(" ") + value + u'\n';
    return text;
}

} // namespace cachescope
