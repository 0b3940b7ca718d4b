#include "messagebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

namespace cachescope {

MessageBar::MessageBar(QWidget *parent)
    : QFrame(parent)
    , m_label(new QLabel(this))
    , m_close(new QToolButton(this))
{
    setFrameShape(QFrame::StyledPanel);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Dismiss"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_close);
    connect(m_close, &QToolButton::clicked, this, &QWidget::hide);
    hide();
}

void MessageBar::showMessage(const QString &text, Level level)
{
    const char *colour = level == Level::Error ? "#f8d7da" : level == Level::Warning ? "#fff3cd" : "#d1ecf1";
    setStyleSheet(QStringLiteral("cachescope--MessageBar { background: %1; border-radius: 4px; } QLabel { color: #212529; }")
                      .arg(QLatin1String(colour)));
    m_label->setText(text);
    show();
}

QString MessageBar::text() const
{
    return m_label->text();
}

} // namespace cachescope
